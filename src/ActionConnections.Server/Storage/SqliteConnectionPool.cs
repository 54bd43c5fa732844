using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ActionConnections.Storage;

/// <summary>
/// The server's own pool of long-lived SQLite connections, each keeping the statements it has run
/// prepared (<see cref="PooledSqliteConnection"/>). Microsoft.Data.Sqlite's pool reuses native
/// connections but not statements, so every request paid for compiling its SQL from text again,
/// which cost more than running it (docs/PERFORMANCE.md). Connections are set up once (PRAGMAs),
/// handed out one request at a time, and closed when the pool is full or disposed, or when one
/// comes back in a state that must not be reused (an open transaction or a statement still running).
/// </summary>
internal sealed class SqliteConnectionPool(string connectionString, Action<SqliteConnection> setUp, int maxIdle) : IDisposable
{
    /// <summary>
    /// Last in, first out: the connection used most recently goes out first, so a few connections
    /// (with their statements prepared and their pages cached) do the work and the rest stay idle.
    /// </summary>
    private readonly ConcurrentStack<PooledSqliteConnection> _idle = new();
    private int _idleCount;
    private long _opened;
    private volatile bool _disposed;

    /// <summary>Native connections opened so far (each set up and its statements prepared anew): few once warm.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>An open, set-up connection; disposing it hands it back.</summary>
    public PooledSqliteConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryPop(out var pooled))
        {
            Interlocked.Decrement(ref _idleCount);
            return pooled;
        }

        var connection = new PooledSqliteConnection(connectionString, this);
        Interlocked.Increment(ref _opened);
        try
        {
            connection.Open();

            // Lets IsReusable list the connection's statements (SQLitePCL keeps the list off by default).
            connection.Handle!.enable_sqlite3_next_stmt(true);
            setUp(connection);
            return connection;
        }
        catch
        {
            connection.Retire();
            throw;
        }
    }

    /// <summary>Takes a connection back; false when it must be closed instead.</summary>
    internal bool TryReturn(PooledSqliteConnection connection)
    {
        if (_disposed || !connection.IsReusable())
        {
            return false;
        }

        if (Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            return false;
        }

        _idle.Push(connection);
        if (_disposed)
        {
            CloseIdle();
        }

        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        CloseIdle();
    }

    private void CloseIdle()
    {
        while (_idle.TryPop(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Retire();
        }
    }
}

/// <summary>
/// A pooled connection: <see cref="IDisposable.Dispose"/> returns it to its pool, and
/// <see cref="Command"/> hands out a prepared command per SQL text, kept for the connection's life.
/// </summary>
internal sealed class PooledSqliteConnection(string connectionString, SqliteConnectionPool pool) : SqliteConnection(connectionString)
{
    /// <summary>Distinct SQL texts kept prepared per connection; the service has a few dozen.</summary>
    private const int MaxStatements = 128;

    private readonly Dictionary<string, PreparedSqliteCommand> _statements = new(StringComparer.Ordinal);
    private bool _retired;

    /// <summary>
    /// A command for <paramref name="sql"/>: its kept prepared instance when that is free (its
    /// disposal hands it back with its parameters cleared), otherwise a plain one.
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        if (_statements.TryGetValue(sql, out var kept))
        {
            if (!kept.InUse)
            {
                kept.InUse = true;
                return kept;
            }
        }
        else if (_statements.Count < MaxStatements)
        {
            var prepared = new PreparedSqliteCommand(sql, this) { InUse = true };
            _statements.Add(sql, prepared);
            return prepared;
        }

        return new SqliteCommand(sql, this);
    }

    /// <summary>Closed for good: its statements are finalised and its native connection closed.</summary>
    public void Retire()
    {
        _retired = true;
        foreach (var statement in _statements.Values)
        {
            statement.Release();
        }

        _statements.Clear();
        base.Dispose(true);
    }

    /// <summary>
    /// Open, in autocommit mode (no transaction left open by its last user) and with no statement
    /// still stepping (a reader left undisposed would pin its snapshot of the database).
    /// </summary>
    internal bool IsReusable()
    {
        if (_retired || State != System.Data.ConnectionState.Open || Handle is not { } db || raw.sqlite3_get_autocommit(db) == 0)
        {
            return false;
        }

        for (var stmt = raw.sqlite3_next_stmt(db, null); stmt is not null && !stmt.IsInvalid; stmt = raw.sqlite3_next_stmt(db, stmt))
        {
            if (raw.sqlite3_stmt_busy(stmt) != 0)
            {
                return false;
            }
        }

        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_retired)
        {
            if (pool.TryReturn(this))
            {
                return;
            }

            Retire();
            return;
        }

        base.Dispose(disposing);
    }
}

/// <summary>A command kept prepared by its connection; disposing it clears it for the next use.</summary>
internal sealed class PreparedSqliteCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
{
    private bool _released;

    public bool InUse { get; set; }

    /// <summary>Finalises the statement: its connection is closing.</summary>
    public void Release()
    {
        _released = true;
        base.Dispose(true);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            Parameters.Clear();
            Transaction = null;
            InUse = false;
            return;
        }

        base.Dispose(disposing);
    }
}
