using System.Globalization;
using ActionConnections.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ActionConnections.Recovery;

/// <summary>
/// Backup and restore of the embedded store (ADR 0015). A backup is SQLite's online backup of the
/// live database, taken inside one read transaction, so it is one consistent snapshot while the
/// server goes on serving and writing (WAL: readers and the writer do not block each other). The
/// copy is a single self-contained SQLite file, owner-only, with a manifest table saying what it
/// holds: ciphertext only, never the master key.
/// </summary>
internal static class SqliteBackup
{
    public const string ManifestTable = "actionconnections_backup";

    public const string Format = "actionconnections-sqlite-backup-1";

    public const string ContentsNote = "Secrets are in here only as AES-256-GCM ciphertext. The master key is NOT in this file: back it up separately; restoring needs it.";

    /// <summary>Pages copied per step: progress is reported between steps; the snapshot stays the same.</summary>
    private const int PagesPerStep = 512;

    /// <summary>Copies the database at <paramref name="databasePath"/> to a new file <paramref name="target"/>.</summary>
    public static async Task<BackupManifest> BackupAsync(string databasePath, string target, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(databasePath))
        {
            throw new BackupException($"there is no database at '{databasePath}'.");
        }

        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new BackupException($"'{target}' already exists; choose a new file name.");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(target))!;
        if (!Directory.Exists(directory))
        {
            throw new BackupException($"the directory '{directory}' does not exist.");
        }

        var partial = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            // Created owner-only before SQLite opens it: SQLite keeps the mode of an existing file.
            DataDirectory.WriteNewOwnerOnly(partial, string.Empty);
            BackupManifest manifest;
            await using (var source = Open(databasePath, SqliteOpenMode.ReadWrite))
            await using (var destination = Open(partial, SqliteOpenMode.ReadWrite))
            {
                await CopyAsync(source, destination, progress, cancellationToken);
                manifest = await DescribeAsync(destination, cancellationToken);
                await WriteManifestAsync(destination, manifest, cancellationToken);

                // One file, no -wal beside it: the copy is complete as it stands.
                await ExecuteAsync(destination, "PRAGMA journal_mode = DELETE;", cancellationToken);
            }

            using (var flush = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
            {
                flush.Flush(flushToDisk: true);
            }

            File.Move(partial, target);
            return manifest;
        }
        finally
        {
            foreach (var leftover in new[] { partial, partial + "-journal", partial + "-wal", partial + "-shm" })
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>
    /// Checks a backup file: a SQLite database that passes <c>PRAGMA integrity_check</c>, made by
    /// <see cref="BackupAsync"/>, of a schema this build knows. Returns its manifest.
    /// </summary>
    public static async Task<BackupManifest> CheckAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new BackupException($"'{file}' does not exist.");
        }

        try
        {
            await using var connection = Open(file, SqliteOpenMode.ReadOnly);
            var integrity = await ReadLinesAsync(connection, "PRAGMA integrity_check;", cancellationToken);
            if (integrity is not ["ok"])
            {
                throw new BackupException($"'{file}' is damaged: {string.Join("; ", integrity.Take(5))}.");
            }

            var manifest = await ReadManifestAsync(connection, cancellationToken)
                ?? throw new BackupException($"'{file}' is a SQLite database but not a backup made by 'store backup' (it has no {ManifestTable} table).");
            if (manifest.Format != Format)
            {
                throw new BackupException($"'{file}' is a backup of format '{manifest.Format}', which this build does not read.");
            }

            var schema = await ScalarAsync(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken);
            if (schema != manifest.SchemaVersion)
            {
                throw new BackupException($"'{file}' says schema version {manifest.SchemaVersion} but holds {schema}.");
            }

            if (schema > MigrationRunner.LatestVersion)
            {
                throw new BackupException($"'{file}' is of schema version {schema}, newer than this build knows ({MigrationRunner.LatestVersion}); restore it with a newer build.");
            }

            return manifest;
        }
        catch (SqliteException e)
        {
            // E.g. SQLITE_NOTADB (26), SQLITE_CORRUPT (11): the message names the condition, never data.
            throw new BackupException($"'{file}' cannot be read as a backup: {e.Message}");
        }
    }

    /// <summary>
    /// Puts a checked backup in place as the database of <paramref name="dataDir"/>: copied beside
    /// it, stripped of its manifest, then moved over in one rename.
    /// </summary>
    public static async Task RestoreAsync(string file, string dataDir, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var target = Path.Combine(dataDir, SqliteDatabase.FileName);
        var partial = Path.Combine(dataDir, $".restore.{Guid.NewGuid():N}.partial");
        try
        {
            DataDirectory.WriteNewOwnerOnly(partial, string.Empty);
            await using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var output = new FileStream(partial, FileMode.Truncate, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 20];
                long done = 0;
                var total = input.Length;
                progress?.Report((0, total));
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    done += read;
                    progress?.Report((done, total));
                }

                output.Flush(flushToDisk: true);
            }

            await using (var connection = Open(partial, SqliteOpenMode.ReadWrite))
            {
                await ExecuteAsync(connection, $"DROP TABLE {ManifestTable};", cancellationToken);
            }

            foreach (var stale in new[] { target + "-wal", target + "-shm", target + "-journal" })
            {
                File.Delete(stale);
            }

            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            foreach (var leftover in new[] { partial, partial + "-journal", partial + "-wal", partial + "-shm" })
            {
                File.Delete(leftover);
            }
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 5000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// sqlite3_backup in steps, inside a read transaction held on the source for the whole copy:
    /// each step reads the same snapshot, so writes committed meanwhile neither restart the copy
    /// nor reach it.
    /// </summary>
    private static async Task CopyAsync(SqliteConnection source, SqliteConnection destination, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        // Deferred: a read transaction, never the write lock (the server keeps writing).
        await using var snapshot = source.BeginTransaction(deferred: true);
        await using (var start = source.CreateCommand())
        {
            // A deferred transaction takes its snapshot at the first read.
            start.Transaction = snapshot;
            start.CommandText = "SELECT COUNT(*) FROM sqlite_master;";
            await start.ExecuteScalarAsync(cancellationToken);
        }

        var backup = raw.sqlite3_backup_init(destination.Handle, "main", source.Handle, "main")
            ?? throw new BackupException($"the backup could not start: {raw.sqlite3_errmsg(destination.Handle).utf8_to_string()}");
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rc = raw.sqlite3_backup_step(backup, PagesPerStep);
                var total = raw.sqlite3_backup_pagecount(backup);
                progress?.Report((total - raw.sqlite3_backup_remaining(backup), total));
                if (rc == raw.SQLITE_DONE)
                {
                    break;
                }

                if (rc is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
                {
                    await Task.Delay(20, cancellationToken);
                    continue;
                }

                if (rc != raw.SQLITE_OK)
                {
                    throw new BackupException($"the backup failed: {raw.sqlite3_errstr(rc).utf8_to_string()}");
                }
            }
        }
        finally
        {
            raw.sqlite3_backup_finish(backup);
        }

        await snapshot.RollbackAsync(cancellationToken);
    }

    private static async Task<BackupManifest> DescribeAsync(SqliteConnection copy, CancellationToken cancellationToken)
    {
        var keyIds = await ReadLinesAsync(copy, "SELECT DISTINCT key_id FROM connections WHERE key_id IS NOT NULL ORDER BY key_id;", cancellationToken);
        return new BackupManifest
        {
            Format = Format,
            CreatedAt = DateTimeOffset.UtcNow,
            SchemaVersion = await ScalarAsync(copy, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", cancellationToken),
            Organizations = await ScalarAsync(copy, "SELECT COUNT(*) FROM orgs;", cancellationToken),
            Connections = await ScalarAsync(copy, "SELECT COUNT(*) FROM connections;", cancellationToken),
            MasterKeyIds = keyIds,
            Contents = ContentsNote,
        };
    }

    private static async Task WriteManifestAsync(SqliteConnection copy, BackupManifest manifest, CancellationToken cancellationToken)
    {
        await ExecuteAsync(copy, $"CREATE TABLE {ManifestTable} (key TEXT PRIMARY KEY, value TEXT NOT NULL);", cancellationToken);
        var values = new Dictionary<string, string>
        {
            ["format"] = manifest.Format,
            ["created_at"] = manifest.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["schema_version"] = manifest.SchemaVersion.ToString(CultureInfo.InvariantCulture),
            ["organizations"] = manifest.Organizations.ToString(CultureInfo.InvariantCulture),
            ["connections"] = manifest.Connections.ToString(CultureInfo.InvariantCulture),
            ["master_key_ids"] = string.Join(",", manifest.MasterKeyIds),
            ["contents"] = manifest.Contents,
        };
        foreach (var (key, value) in values)
        {
            await using var insert = copy.CreateCommand();
            insert.CommandText = $"INSERT INTO {ManifestTable} (key, value) VALUES ($key, $value);";
            insert.Parameters.AddWithValue("$key", key);
            insert.Parameters.AddWithValue("$value", value);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<BackupManifest?> ReadManifestAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(connection, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{ManifestTable}';", cancellationToken) == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT key, value FROM {ManifestTable};";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                values[reader.GetString(0)] = reader.GetString(1);
            }
        }

        try
        {
            return new BackupManifest
            {
                Format = values.GetValueOrDefault("format", string.Empty),
                CreatedAt = DateTimeOffset.Parse(values["created_at"], CultureInfo.InvariantCulture),
                SchemaVersion = long.Parse(values["schema_version"], CultureInfo.InvariantCulture),
                Organizations = long.Parse(values["organizations"], CultureInfo.InvariantCulture),
                Connections = long.Parse(values["connections"], CultureInfo.InvariantCulture),
                MasterKeyIds = values["master_key_ids"].Split(',', StringSplitOptions.RemoveEmptyEntries),
                Contents = values.GetValueOrDefault("contents", ContentsNote),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException)
        {
            throw new BackupException($"the backup's {ManifestTable} table is incomplete or altered.");
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ReadLinesAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}

/// <summary>What a backup holds; also its <c>--json</c> output.</summary>
internal sealed record BackupManifest
{
    [System.Text.Json.Serialization.JsonPropertyName("format")]
    public required string Format { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("schema_version")]
    public required long SchemaVersion { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("organizations")]
    public required long Organizations { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("connections")]
    public required long Connections { get; init; }

    /// <summary>The master keys the stored secrets are under: the keys a restore needs.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("master_key_ids")]
    public required IReadOnlyList<string> MasterKeyIds { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("contents")]
    public required string Contents { get; init; }
}

/// <summary>A backup or restore that cannot be done, with the reason for the operator.</summary>
internal sealed class BackupException(string message) : Exception(message);
