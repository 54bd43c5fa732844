using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ActionConnections.Storage;

/// <summary>
/// PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>, shared by any number of replicas.
/// Transactions are READ COMMITTED: every write is a single statement or guarded by its own
/// <c>WHERE</c> (the connection version check, ADR 0006), so row locks are all it needs.
/// Migrations and the bootstrap hold advisory locks, so replicas starting together do each once.
/// </summary>
internal sealed class PostgresDatabase : IDatabase, IAsyncDisposable
{
    public const string Provider = "postgres";

    /// <summary>Seconds to wait for a connection (pool or server) unless the connection string says otherwise.</summary>
    public const int DefaultTimeoutSeconds = 5;

    /// <summary>Seconds a command may run unless the connection string says otherwise.</summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>How many distinct statements each physical connection keeps prepared (Npgsql's automatic preparation).</summary>
    public const int DefaultMaxAutoPrepare = 64;

    // Arbitrary constants, fixed forever: every replica and every build must use the same ones.
    private const long MigrationLockKey = 0x4143_4D49_4752_4154; // "ACMIGRAT"
    private const long StartupLockKey = 0x4143_5354_4152_5455; // "ACSTARTU"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(IOptions<StorageOptions> options)
    {
        var connectionString = options.Value.DbConnection
            ?? throw new InvalidOperationException("ACTIONCONNECTIONS_DB_CONNECTION is not set.");
        _dataSource = new NpgsqlDataSourceBuilder(WithDefaults(connectionString)).Build();
    }

    public string ProviderName => Provider;

    public string LockRowClause => " FOR UPDATE";

    /// <summary>
    /// The connection string with this service's defaults for what it leaves out: a short
    /// connect <c>Timeout</c> and <c>Command Timeout</c>, so an unreachable database fails a
    /// request fast (503) instead of holding it; <c>Max Auto Prepare</c>; an
    /// <c>Application Name</c> for pg_stat_activity.
    /// </summary>
    public static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Contains("TIMEOUT"))
        {
            builder.Timeout = DefaultTimeoutSeconds;
        }

        if (!keys.Contains("COMMANDTIMEOUT"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        if (!keys.Contains("MAXAUTOPREPARE"))
        {
            // Statements run often are prepared once per physical connection and reused, as the
            // SQLite provider does: the read path then skips PostgreSQL's parse and plan.
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!keys.Contains("APPLICATIONNAME"))
        {
            builder.ApplicationName = "actionconnections";
        }

        return builder.ConnectionString;
    }

    /// <summary>What is wrong with a connection string, or null; never quotes it (it may hold a password).</summary>
    public static string? CheckConnectionString(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "has no Host." : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return "is not a valid Npgsql connection string (Key=value pairs separated by ';', e.g. Host=db;Database=actionconnections;Username=ac;Password=…).";
        }
    }

    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (IsTransient(e))
        {
            throw new StoreUnavailableException("The PostgreSQL database could not be reached.", e);
        }
    }

    public async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken);
        }
        catch (Exception e) when (IsTransient(e))
        {
            throw new StoreUnavailableException("The PostgreSQL database could not be reached.", e);
        }
    }

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);

        // Held until commit: a second replica waits here, then finds nothing left to apply.
        await LockAsync(connection, tx, MigrationLockKey, cancellationToken);
        var applied = await MigrationRunner.ApplyAsync(connection, tx, Provider, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return applied;
    }

    public async Task<long> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var exists = connection.Command("SELECT to_regclass('schema_migrations') IS NOT NULL;"))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return 0;
            }
        }

        return await MigrationRunner.CurrentVersionAsync(connection, null, cancellationToken);
    }

    public async Task<IAsyncDisposable> AcquireStartupLockAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            var tx = await BeginWriteAsync(connection, cancellationToken);
            await LockAsync(connection, tx, StartupLockKey, cancellationToken);
            return new HeldLock(connection, tx);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public bool IsTransient(Exception exception) => exception switch
    {
        StoreUnavailableException => true,
        PostgresException postgres => IsTransientState(postgres.SqlState),

        // Raised by Npgsql itself: the server went away, a socket failed, a connect or command
        // timed out, or the pool stayed exhausted for the whole Timeout.
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        _ => false,
    };

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// SQLSTATEs that mean "not now" rather than "never": class 08 (connection), 53 (resources,
    /// e.g. 53300 too many connections), 57P01–57P03 (shut down, crashed, starting up), 57014
    /// (a statement timeout), 40001/40P01 (serialization failure, deadlock: retry-able), 55P03
    /// (lock not available), 25006 (read-only: a fail-over to a standby in progress), 58 (I/O).
    /// </summary>
    private static bool IsTransientState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal)
        || state.StartsWith("53", StringComparison.Ordinal)
        || state.StartsWith("58", StringComparison.Ordinal)
        || state is "57P01" or "57P02" or "57P03" or "57014" or "40001" or "40P01" or "55P03" or "25006";

    private static async Task LockAsync(DbConnection connection, DbTransaction tx, long key, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT pg_advisory_xact_lock(@key);", tx).With("@key", key);

        // Waiting for another replica's migration is expected; the timeout only bounds a stuck one.
        command.CommandTimeout = 300;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A transaction holding an advisory lock; disposing ends it, which releases the lock.</summary>
    private sealed class HeldLock(DbConnection connection, DbTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
