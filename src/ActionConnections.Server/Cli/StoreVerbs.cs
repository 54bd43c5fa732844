using System.CommandLine;
using ActionConnections.Json;
using ActionConnections.Recovery;
using ActionConnections.Secrets;
using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cli;

/// <summary>
/// <c>store backup</c>, <c>store restore</c> and <c>store verify</c> (ADR 0015). None migrates
/// first: each sees the store exactly as it is. Progress bars go to standard error; <c>--json</c>
/// gives one JSON document on standard output.
/// </summary>
internal static class StoreVerbs
{
    /// <summary><c>store verify</c> found a problem (named on standard error).</summary>
    public const int VerificationFailed = 3;

    public static Command Build(StoreCommand store)
    {
        var command = new Command("store", "Back up, restore and verify the store.");
        command.Subcommands.Add(BackupCommand(store));
        command.Subcommands.Add(RestoreCommand(store));
        command.Subcommands.Add(VerifyCommand(store));
        return command;
    }

    private static Command BackupCommand(StoreCommand store)
    {
        var to = new Option<string>("--to") { Description = "The backup file to create (must not exist); created readable by its owner only.", HelpName = "file", Required = true };
        var json = CliOptions.Json();
        var backup = new Command("backup", "Copy the embedded database, online and consistent, while the server keeps serving. The copy holds secrets as ciphertext only: back up the master key separately.") { to, json };
        store.SetActionWithoutMigrating(backup, async (parse, context, ct) =>
        {
            var options = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (options.DbProvider != SqliteDatabase.Provider)
            {
                return context.Fail("store backup copies the embedded SQLite store; with PostgreSQL use pg_dump (see the README, \"Backup and restore\").");
            }

            var source = Path.Combine(Path.GetFullPath(options.DataDir), SqliteDatabase.FileName);
            var bar = new ProgressBar(context.Error, "backing up (pages)");
            BackupManifest manifest;
            try
            {
                manifest = await SqliteBackup.BackupAsync(source, parse.GetValue(to)!, bar, ct);
            }
            catch (Exception e) when (e is BackupException or SqliteException or IOException or UnauthorizedAccessException)
            {
                bar.Complete();
                return context.Fail(e.Message);
            }

            bar.Complete();
            if (parse.GetValue(json))
            {
                context.WriteJson(manifest, AppJson.Context.BackupManifest);
            }
            else
            {
                context.Out.WriteLine($"Backed up {manifest.Connections} connection(s) of {manifest.Organizations} organisation(s) (schema version {manifest.SchemaVersion}) to {parse.GetValue(to)}.");
                context.Out.WriteLine(SqliteBackup.ContentsNote);
                context.Out.WriteLine(manifest.MasterKeyIds.Count == 0
                    ? "No secret is stored yet."
                    : $"Restoring needs the master key(s): {string.Join(", ", manifest.MasterKeyIds)}.");
            }

            return ExitCodes.Success;
        });
        return backup;
    }

    private static Command RestoreCommand(StoreCommand store)
    {
        var from = new Option<string>("--from") { Description = "A file made by 'store backup'.", HelpName = "file", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the database of a data directory that already has one (stop the server first)." };
        var json = CliOptions.Json();
        var restore = new Command("restore", "Check a backup file, then make it the database of the (empty) data directory.") { from, force, json };
        store.SetActionWithoutMigrating(restore, async (parse, context, ct) =>
        {
            var options = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (options.DbProvider != SqliteDatabase.Provider)
            {
                return context.Fail("store restore restores the embedded SQLite store; with PostgreSQL use pg_restore (see the README, \"Backup and restore\").");
            }

            var file = parse.GetValue(from)!;
            BackupManifest manifest;
            try
            {
                manifest = await SqliteBackup.CheckAsync(file, ct);
            }
            catch (BackupException e)
            {
                return context.Fail($"refusing to restore: {e.Message}");
            }

            var dataDir = Path.GetFullPath(options.DataDir);
            if (Directory.Exists(dataDir) && Occupants(dataDir, context.Services.GetRequiredService<IOptions<SecretsOptions>>().Value) is { Count: > 0 } occupants && !parse.GetValue(force))
            {
                return context.Fail($"the data directory '{dataDir}' is not empty ({string.Join(", ", occupants.Take(5))}); restore into an empty one, or pass --force to replace its database (stop the server first).");
            }

            var bar = new ProgressBar(context.Error, "restoring (bytes)");
            int applied;
            try
            {
                DataDirectory.Ensure(dataDir);
                await SqliteBackup.RestoreAsync(file, dataDir, bar, ct);
                bar.Complete();

                // A backup of an older release is brought up to this build's schema.
                applied = await context.Services.GetRequiredService<IDatabase>().MigrateAsync(ct);
            }
            catch (Exception e) when (e is BackupException or SqliteException or IOException or UnauthorizedAccessException)
            {
                bar.Complete();
                return context.Fail(e.Message);
            }

            if (parse.GetValue(json))
            {
                context.WriteJson(manifest, AppJson.Context.BackupManifest);
            }
            else
            {
                context.Out.WriteLine($"Restored {manifest.Connections} connection(s) of {manifest.Organizations} organisation(s) from the backup of {manifest.CreatedAt:u} into {dataDir}{(applied > 0 ? $"; applied {applied} migration(s)" : string.Empty)}.");
                if (manifest.MasterKeyIds.Count > 0)
                {
                    context.Out.WriteLine($"Its secrets need the master key(s) {string.Join(", ", manifest.MasterKeyIds)}: configure them, then run 'store verify'.");
                }
            }

            return ExitCodes.Success;
        });
        return restore;
    }

    private static Command VerifyCommand(StoreCommand store)
    {
        var json = CliOptions.Json();
        var verify = new Command("verify", "Check the schema version, the database's integrity and that every stored secret decrypts under the configured master keys; counts per organisation. Exit code 3 names what failed.") { json };
        store.SetActionWithoutMigrating(verify, async (parse, context, ct) =>
        {
            var options = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            if (options.DbProvider == SqliteDatabase.Provider && !File.Exists(Path.Combine(Path.GetFullPath(options.DataDir), SqliteDatabase.FileName)))
            {
                return context.Fail($"there is no database in '{Path.GetFullPath(options.DataDir)}'.");
            }

            MasterKeyRing keys;
            try
            {
                keys = MasterKeyLoader.Load(context.Services.GetRequiredService<IOptions<SecretsOptions>>().Value, options.DataDir, generateIfMissing: false);
            }
            catch (Exception e) when (e is StartupException or InvalidOperationException or IOException)
            {
                return context.Fail(e.Message);
            }

            var bar = new ProgressBar(context.Error, "decrypting secrets");
            var report = await new StoreVerifier(context.Services.GetRequiredService<IDatabase>(), keys).RunAsync(bar, ct);
            bar.Complete();
            if (parse.GetValue(json))
            {
                context.WriteJson(report, AppJson.Context.VerifyReport);
            }
            else
            {
                WriteText(context.Out, report);
            }

            if (report.Ok)
            {
                return ExitCodes.Success;
            }

            context.Error.WriteLine($"error: verification failed: {string.Join("; ", Failures(report))}");
            return VerificationFailed;
        });
        return verify;
    }

    /// <summary>What is in the data directory besides the master key file and the start-up lock: what a restore would overwrite.</summary>
    private static List<string> Occupants(string dataDir, SecretsOptions secrets)
    {
        var keyFile = Path.GetFullPath(MasterKeyLoader.KeyFilePath(secrets, dataDir));
        return [.. Directory.EnumerateFileSystemEntries(dataDir)
            .Where(path => Path.GetFullPath(path) != keyFile && Path.GetFileName(path) != "startup.lock")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> Failures(VerifyReport report)
    {
        if (!report.Schema.Ok)
        {
            yield return report.Schema.Version < report.Schema.Expected
                ? $"schema version {report.Schema.Version} is behind this build's {report.Schema.Expected} (run 'migrate')"
                : $"schema version {report.Schema.Version} is newer than this build knows ({report.Schema.Expected})";
        }

        if (!report.Integrity.Ok)
        {
            yield return $"integrity: {string.Join("; ", report.Integrity.Problems)}";
        }

        if (report.Secrets.FailedConnections > 0)
        {
            var ids = report.Secrets.Failed.Select(f => f.ConnectionId).Distinct(StringComparer.Ordinal).ToList();
            yield return $"secrets of {report.Secrets.FailedConnections} connection(s) do not decrypt under the configured master keys ({string.Join(", ", report.Secrets.ConfiguredKeyIds)}): {string.Join(", ", ids.Take(20))}{(ids.Count > 20 ? ", …" : string.Empty)}";
        }
    }

    private static void WriteText(TextWriter output, VerifyReport report)
    {
        output.WriteLine($"schema:     version {report.Schema.Version} (this build: {report.Schema.Expected}) {(report.Schema.Ok ? "ok" : "FAILED")}");
        output.WriteLine($"integrity:  {(report.Integrity.Ok ? "ok" : "FAILED")}");
        foreach (var problem in report.Integrity.Problems)
        {
            output.WriteLine($"  {problem}");
        }

        output.WriteLine($"secrets:    {report.Secrets.Secrets} secret(s) of {report.Secrets.Connections} connection(s) checked under key(s) {string.Join(", ", report.Secrets.ConfiguredKeyIds)}: "
            + (report.Secrets.FailedConnections == 0 ? "all decrypt" : $"{report.Secrets.FailedConnections} connection(s) FAILED"));
        foreach (var failure in report.Secrets.Failed)
        {
            output.WriteLine($"  connection {failure.ConnectionId} (org {failure.OrgId}, \"{failure.Name}\") field {failure.Field}: {failure.Reason}");
        }

        output.WriteLine("organisations:");
        TextTable.Write(output, ["id", "name", "connections", "users", "api_keys", "app_keys", "registrations"], report.Organizations.Select(o => (IReadOnlyList<string>)
        [
            o.Id.ToString("D"), o.Name, Text(o.Connections), Text(o.Users), Text(o.ApiKeys), Text(o.AppKeys), Text(o.Registrations),
        ]));
    }

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
