using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Recovery;

/// <summary>
/// <c>store backup</c> of the embedded store while the server serves a write load, <c>store
/// restore</c> into a new data directory, a server on the copy, <c>store verify</c>; and what is
/// refused: a damaged file, a database that is not a backup, a data directory in use.
/// </summary>
[Trait("Provider", "SQLite")]
public sealed class BackupRestoreTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "ac-tests", "backup-" + Guid.NewGuid().ToString("N"));

    public BackupRestoreTests() => Directory.CreateDirectory(_scratch);

    [Fact]
    public async Task Backup_DuringWriteLoad_RestoresEveryAcknowledgedConnectionAndVerifies()
    {
        var secret = "sk-backup-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var integration = $$$"""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"{{{secret}}}"}}""";
        var file = Path.Combine(_scratch, "store.backup");
        var restored = Path.Combine(_scratch, "restored");
        string[] acknowledgedBeforeBackup;
        int acknowledgedAtEnd;
        CliResult backup;
        await using (var app = await TestApp.StartAsync())
        {
            await app.RegisterBootstrapKeyAsync();
            var acknowledged = new ConcurrentQueue<string>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    acknowledged.Enqueue(await app.Client.CreateAsync(integration, $"load {w}-{i}"));
                }
            })).ToList();
            while (acknowledged.Count < 30)
            {
                await Task.Delay(10);
            }

            acknowledgedBeforeBackup = [.. acknowledged];
            backup = await CliHarness.RunWithSettingsAsync(app.Store.Settings, "--data-dir", app.DataDir, "store", "backup", "--to", file);
            var afterBackup = acknowledged.Count;
            while (acknowledged.Count < afterBackup + 10)
            {
                await Task.Delay(10);
            }

            await stop.CancelAsync();
            await Task.WhenAll(writers);
            acknowledgedAtEnd = acknowledged.Count;

            // The key is backed up separately, as the README says; here, beside the copy.
            Directory.CreateDirectory(restored);
            File.Copy(Path.Combine(app.DataDir, "master.key"), Path.Combine(restored, "master.key"));

            var intoLive = await CliHarness.RunWithSettingsAsync(app.Store.Settings, "--data-dir", app.DataDir, "store", "restore", "--from", file);
            Assert.Equal(1, intoLive.ExitCode);
            Assert.Contains("is not empty", intoLive.Stderr, StringComparison.Ordinal);
        }

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Contains("only as AES-256-GCM ciphertext", backup.Stdout, StringComparison.Ordinal);
        Assert.Contains("master key is NOT in this file", backup.Stdout, StringComparison.Ordinal);
        Assert.Contains("100%", backup.Stderr, StringComparison.Ordinal);
        Assert.True(acknowledgedAtEnd > acknowledgedBeforeBackup.Length + 10);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var bytes = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file));
        Assert.DoesNotContain(secret, bytes, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.ApiKey, bytes, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_scratch, "*.partial"));

        var restore = await CliHarness.RunWithSettingsAsync(new Dictionary<string, string?>(), "--data-dir", restored, "store", "restore", "--from", file, "--json");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("actionconnections-sqlite-backup-1", restore.Json.GetProperty("format").GetString());

        var verify = await CliHarness.RunWithSettingsAsync(new Dictionary<string, string?>(), "--data-dir", restored, "store", "verify", "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Json.GetProperty("ok").GetBoolean());
        var checkedConnections = verify.Json.GetProperty("secrets").GetProperty("connections").GetInt64();
        Assert.InRange(checkedConnections, acknowledgedBeforeBackup.Length, acknowledgedAtEnd);
        Assert.Equal(checkedConnections, verify.Json.GetProperty("secrets").GetProperty("secrets").GetInt64());
        var org = Assert.Single(verify.Json.GetProperty("organizations").EnumerateArray());
        Assert.Equal(checkedConnections, org.GetProperty("connections").GetInt64());

        await using (var server = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:DataDir"] = restored }))
        {
            Assert.Null(server.Bootstrap);
            foreach (var id in acknowledgedBeforeBackup)
            {
                var response = await server.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
                Assert.True(response.Status == 200, $"{id}: {response}");
            }

            // The secrets came back usable: an update that keeps them re-reads and re-seals them.
            var patch = await server.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{acknowledgedBeforeBackup[0]}", ConnectionBodies.Update("""{"name":"renamed after restore"}"""));
            Assert.Equal(200, patch.Status);
        }
    }

    [Fact]
    public async Task Restore_DamagedOrForeignFile_RefusedClearlyAndNothingWritten()
    {
        var file = Path.Combine(_scratch, "store.backup");
        await using (var app = await TestApp.StartAsync())
        {
            await app.RegisterBootstrapKeyAsync();
            await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-x"}}""", "to be damaged");
            var backup = await CliHarness.RunWithSettingsAsync(app.Store.Settings, "--data-dir", app.DataDir, "store", "backup", "--to", file);
            Assert.True(backup.ExitCode == 0, backup.ToString());

            var again = await CliHarness.RunWithSettingsAsync(app.Store.Settings, "--data-dir", app.DataDir, "store", "backup", "--to", file);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        }

        // Damaged: the pages after the first overwritten, as a failing disk would leave them.
        var damaged = Path.Combine(_scratch, "damaged.backup");
        var content = await File.ReadAllBytesAsync(file);
        RandomNumberGenerator.Fill(content.AsSpan(4096, content.Length / 2));
        await File.WriteAllBytesAsync(damaged, content);
        // Truncated: a copy cut short.
        var truncated = Path.Combine(_scratch, "truncated.backup");
        await File.WriteAllBytesAsync(truncated, (await File.ReadAllBytesAsync(file))[..5000]);
        // Not ours: any other file.
        var text = Path.Combine(_scratch, "notes.txt");
        await File.WriteAllTextAsync(text, "not a database");
        // A SQLite database, but not a backup (its manifest table dropped).
        var foreign = Path.Combine(_scratch, "foreign.db");
        File.Copy(file, foreign);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE actionconnections_backup;";
            await drop.ExecuteNonQueryAsync();
        }

        foreach (var (bad, expected) in new[]
        {
            (damaged, "refusing to restore:"),
            (truncated, "refusing to restore:"),
            (text, "refusing to restore:"),
            (foreign, "not a backup made by 'store backup'"),
            (Path.Combine(_scratch, "missing.backup"), "does not exist"),
        })
        {
            var target = Path.Combine(_scratch, "target-" + Path.GetFileName(bad));
            var result = await CliHarness.RunWithSettingsAsync(new Dictionary<string, string?>(), "--data-dir", target, "store", "restore", "--from", bad);
            Assert.True(result.ExitCode == 1, $"{bad}: {result}");
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(target, "actionconnections.db")), $"{bad}: a database was written");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
