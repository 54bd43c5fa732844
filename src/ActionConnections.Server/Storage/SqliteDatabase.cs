using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ActionConnections.Storage;

/// <summary>
/// Embedded SQLite in the data directory: WAL journal, <c>synchronous=FULL</c> so an
/// acknowledged commit survives power loss, a busy timeout instead of immediate lock errors.
/// </summary>
internal sealed class SqliteDatabase : IDatabase, IDisposable
{
    public const string Provider = "sqlite";

    public const string FileName = "actionconnections.db";

    private const string StartupLockFileName = "startup.lock";

    private const string PerConnectionPragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

    /// <summary>How long a write waits for its turn among this process's writers before it answers 503.</summary>
    private static readonly TimeSpan WriteGateTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Idle connections kept open; more may be open at once while busy.</summary>
    private static readonly int MaxIdleConnections = Math.Max(16, 4 * Environment.ProcessorCount);

    /// <summary>Long-lived connections with their statements kept prepared (<see cref="SqliteConnectionPool"/>).</summary>
    private readonly SqliteConnectionPool _pool;

    /// <param name="options">Where the data directory is.</param>
    /// <param name="metrics">Where each commit's number of writes goes; none (tests, tools) records nothing.</param>
    public SqliteDatabase(IOptions<StorageOptions> options, StorageMetrics? metrics = null)
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

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        _pool = new SqliteConnectionPool(connectionString, SetUp, MaxIdleConnections);
        GroupCommit = new SqliteGroupCommit(_pool, metrics);
    }

    public string ProviderName => Provider;

    /// <summary>Nothing to add: a batch's <c>BEGIN IMMEDIATE</c> transaction already excludes every other writer.</summary>
    public string LockRowClause => string.Empty;

    public string Path { get; }

    /// <summary>Native connections the pool has opened so far.</summary>
    public long ConnectionsOpened => _pool.Opened;

    /// <summary>Every write of this process goes through it (its counters show how many commits carried them).</summary>
    public SqliteGroupCommit GroupCommit { get; }

    public ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return ValueTask.FromResult<DbConnection>(_pool.Rent());
        }
        catch (SqliteException e)
        {
            throw new StoreUnavailableException("The SQLite database could not be opened.", e);
        }
    }

    public void Dispose()
    {
        _pool.Dispose();
    }

    /// <summary>Runs once per native connection: these settings stay with it while it is pooled.</summary>
    private static void SetUp(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = PerConnectionPragmas;
        pragma.ExecuteNonQuery();
    }

    /// <summary>
    /// A unit of a group commit (<see cref="SqliteGroupCommit"/>): the store's commands run on the
    /// batch's connection, and its commit returns once the batch holding it is durable.
    /// </summary>
    public ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) => BeginUnitAsync(cancellationToken);

    /// <summary><see cref="BeginWriteAsync"/> without a connection of the caller's: the unit runs on its batch's.</summary>
    public async ValueTask<DbTransaction> BeginUnitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GroupCommit.BeginAsync(WriteGateTimeout, cancellationToken);
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
        var applied = await MigrationRunner.ApplyAsync(connection, tx, Provider, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return applied;
    }

    public async Task<long> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var exists = connection.Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';"))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return 0;
            }
        }

        return await MigrationRunner.CurrentVersionAsync(connection, null, cancellationToken);
    }

    /// <summary>
    /// An exclusive lock on <c>startup.lock</c> beside the database file: servers sharing the
    /// file (one machine) wait for each other, in one process or several.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireStartupLockAsync(CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var lockPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, StartupLockFileName);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, options);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    public bool IsTransient(Exception exception) =>
        exception is StoreUnavailableException
        || exception is SqliteException { SqliteErrorCode: 5 or 6 or 10 or 14 }; // BUSY, LOCKED, IOERR, CANTOPEN
}
