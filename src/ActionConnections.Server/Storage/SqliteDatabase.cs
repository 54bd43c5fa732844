using System.Data.Common;
using ActionConnections.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ActionConnections.Storage;

/// <summary>
/// Embedded SQLite in the data directory: WAL journal, <c>synchronous=FULL</c> so an
/// acknowledged commit survives power loss, a busy timeout instead of immediate lock errors.
/// </summary>
internal sealed class SqliteDatabase : IDatabase
{
    public const string FileName = "actionconnections.db";

    private const string PerConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

    private readonly string _connectionString;

    public SqliteDatabase(IOptions<ServerOptions> options)
    {
        var dataDir = DataDirectory.Ensure(options.Value.DataDir);
        Path = System.IO.Path.Combine(dataDir, FileName);
        if (!File.Exists(Path))
        {
            // Created here, owner-only, before SQLite opens it: SQLite gives its -wal and -shm
            // files the permissions of the database file.
            try
            {
                DataDirectory.WriteNewOwnerOnly(Path, string.Empty);
            }
            catch (IOException) when (File.Exists(Path))
            {
            }
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string ProviderName => "sqlite";

    public string Path { get; }

    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = PerConnectionPragmas;
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw new StoreUnavailableException("The SQLite database could not be opened.", e);
        }
    }

    public ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // deferred: false → BEGIN IMMEDIATE: take the write lock now, so two writers never
            // deadlock upgrading read locks. SQLite's API is synchronous underneath anyway.
            return ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
        }
        catch (SqliteException e) when (IsTransient(e))
        {
            throw new StoreUnavailableException("The database is busy.", e);
        }
    }

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.Command("PRAGMA journal_mode = WAL;"))
        {
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        await using (var create = connection.Command("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);", tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        long current;
        await using (var max = connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", tx))
        {
            current = Convert.ToInt64(await max.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var latest = Migrations.All[^1].Version;
        if (current > latest)
        {
            throw new InvalidOperationException($"The database schema is version {current}, newer than this build knows ({latest}). Run a newer build.");
        }

        var applied = 0;
        foreach (var (version, name, sql) in Migrations.All.Where(m => m.Version > current))
        {
            await using (var step = connection.Command(sql, tx))
            {
                await step.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = connection.Command("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t);", tx)
                .With("@v", (long)version).With("@n", name).With("@t", DateTimeOffset.UtcNow))
            {
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            applied++;
        }

        await tx.CommitAsync(cancellationToken);
        return applied;
    }

    public bool IsTransient(Exception exception) =>
        exception is StoreUnavailableException
        || exception is SqliteException { SqliteErrorCode: 5 or 6 or 10 or 14 }; // BUSY, LOCKED, IOERR, CANTOPEN
}
