using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ActionConnections.Storage;

/// <summary>
/// Group commit for this process's SQLite writes (docs/adr/0018). A write is a unit: it waits for
/// its turn (one unit at a time, in arrival order, on an async queue instead of SQLite's sleeping
/// busy handler), runs inside a <c>SAVEPOINT</c> of the batch's shared <c>BEGIN IMMEDIATE</c>
/// transaction, and ends by releasing (keeping) or rolling back to its savepoint. A unit that ends
/// while others wait hands its turn on and the batch stays open; the unit that ends with nobody
/// waiting (or with the batch full) commits the batch, one durable <c>synchronous=FULL</c> commit
/// for all of its units, and only then is any unit of it told it committed. Units arrive while a
/// commit is being made durable, so the busier the server, the more a commit carries. A unit that
/// fails rolls back to its savepoint alone; its neighbours still commit. If SQLite itself rolled the
/// whole transaction back (disk full, I/O error), every unit of the batch fails: none was answered yet.
/// </summary>
internal sealed class SqliteGroupCommit(SqliteConnectionPool pool, StorageMetrics? metrics = null)
{
    /// <summary>
    /// Units per commit at most. Bounds the latency a batch adds to its first unit (the work of the
    /// units after it, each well under a millisecond) and the work lost to a batch-wide failure.
    /// </summary>
    public const int MaxBatchUnits = 64;

    private const string Savepoint = "unit";

    // Every unit runs these two: as the connection's prepared statements rather than through
    // SqliteTransaction.Save/Release, which compile their SQL text on each call.
    private const string SaveSql = "SAVEPOINT " + Savepoint + ";";
    private const string ReleaseSql = "RELEASE " + Savepoint + ";";

    private readonly Lock _lock = new();

    /// <summary>Units waiting for their turn, oldest first; one that gave up is cancelled and skipped.</summary>
    private readonly Queue<TaskCompletionSource> _waiting = new();

    private bool _turnTaken;

    /// <summary>The batch whose transaction is open; read and written only by the unit holding the turn.</summary>
    private Batch? _open;

    private long _commits;
    private long _committedUnits;

    /// <summary>Durable commits made (each carrying one or more units).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Units kept by those commits.</summary>
    public long CommittedUnits => Interlocked.Read(ref _committedUnits);

    /// <summary>Units waiting for their turn now (for tests that line units up).</summary>
    public int WaitingUnits
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count(w => !w.Task.IsCompleted);
            }
        }
    }

    /// <summary>Waits for this unit's turn and opens its savepoint, in the open batch or a new one.</summary>
    public async ValueTask<BatchedWriteTransaction> BeginAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await AcquireTurnAsync(timeout, cancellationToken);
        Batch batch;
        try
        {
            batch = _open ??= Batch.Begin(pool);
        }
        catch
        {
            ReleaseTurn();
            throw;
        }

        try
        {
            batch.Run(SaveSql);
        }
        catch (Exception e)
        {
            batch.Broken ??= e;
            ReleaseTurn();
            throw;
        }

        batch.Units++;
        return new BatchedWriteTransaction(this, batch);
    }

    /// <summary>
    /// Ends the unit holding the turn: keeps or undoes its change, then hands the turn on or commits
    /// the batch. Returns the batch's commit, which a kept unit awaits before it answers.
    /// </summary>
    internal Task EndUnit(Batch batch, bool keep)
    {
        Exception? releaseFailure = null;
        if (keep)
        {
            try
            {
                batch.Run(ReleaseSql);
            }
            catch (SqliteException e)
            {
                releaseFailure = e;
                keep = false;
            }
        }

        if (!keep)
        {
            try
            {
                batch.Transaction.Rollback(Savepoint);
                batch.Transaction.Release(Savepoint);
            }
            catch (SqliteException e)
            {
                batch.Broken ??= e;
            }
        }

        // Some errors (SQLITE_FULL, IOERR, NOMEM) make SQLite roll the whole transaction back.
        if (batch.Broken is null && (batch.Connection.Handle is not { } handle || raw.sqlite3_get_autocommit(handle) != 0))
        {
            batch.Broken = new InvalidOperationException("SQLite rolled back the batch's transaction.");
        }

        if (keep)
        {
            batch.Kept++;
        }

        var committed = batch.Committed.Task;
        CloseOrHandOver(batch);
        if (releaseFailure is not null)
        {
            throw releaseFailure;
        }

        return committed;
    }

    private async ValueTask AcquireTurnAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (!_turnTaken)
            {
                _turnTaken = true;
                return;
            }

            // Continuations run on the thread pool, never inline on the unit handing the turn over.
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool handedOver;
            lock (_lock)
            {
                handedOver = !waiter.TrySetCanceled(CancellationToken.None);
            }

            // The turn reached this unit as it gave up: it is this unit's to pass on.
            if (handedOver)
            {
                ReleaseTurn();
            }

            if (e is TimeoutException)
            {
                throw new StoreUnavailableException("The database is busy.", e);
            }

            throw;
        }
    }

    /// <summary>Gives up the turn without a unit: continues or commits an open batch, or frees the turn.</summary>
    private void ReleaseTurn()
    {
        if (_open is { } batch)
        {
            CloseOrHandOver(batch);
            return;
        }

        lock (_lock)
        {
            if (!TryHandOver())
            {
                _turnTaken = false;
            }
        }
    }

    private void CloseOrHandOver(Batch batch)
    {
        lock (_lock)
        {
            if (batch.Broken is null && batch.Units < MaxBatchUnits && TryHandOver())
            {
                return;
            }
        }

        Close(batch);
        lock (_lock)
        {
            if (!TryHandOver())
            {
                _turnTaken = false;
            }
        }
    }

    /// <summary>Under <see cref="_lock"/>: gives the turn to the oldest unit still waiting.</summary>
    private bool TryHandOver()
    {
        while (_waiting.TryDequeue(out var next))
        {
            if (next.TrySetResult())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Commits the batch (or, when broken, rolls it back) and tells its units.</summary>
    private void Close(Batch batch)
    {
        _open = null;
        try
        {
            if (batch.Broken is null)
            {
                batch.Transaction.Commit();
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _committedUnits, batch.Kept);
                metrics?.RecordCommit(batch.Kept);
                batch.Committed.TrySetResult();
            }
            else
            {
                Fail(batch, batch.Broken);
            }
        }
        catch (Exception e)
        {
            Fail(batch, e);
        }
        finally
        {
            try
            {
                batch.Transaction.Dispose();
            }
            catch (SqliteException)
            {
                // Rolling back a transaction SQLite already ended: nothing left to undo.
            }

            batch.Connection.Dispose();
        }
    }

    private static void Fail(Batch batch, Exception cause)
    {
        batch.Committed.TrySetException(new StoreUnavailableException("The write could not be committed.", cause));

        // Units that rolled back never await the commit; the failure is theirs only if they kept.
        _ = batch.Committed.Task.Exception;
    }

    /// <summary>One shared transaction on one pooled connection, and the commit its units await.</summary>
    internal sealed class Batch(PooledSqliteConnection connection, SqliteTransaction transaction)
    {
        public PooledSqliteConnection Connection { get; } = connection;

        public SqliteTransaction Transaction { get; } = transaction;

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Units { get; set; }

        public int Kept { get; set; }

        /// <summary>Set when the transaction can no longer be committed; every kept unit then fails.</summary>
        public Exception? Broken { get; set; }

        /// <summary>Runs <paramref name="sql"/> in the batch's transaction, as a statement its connection keeps prepared.</summary>
        public void Run(string sql)
        {
            using var command = Connection.Command(sql);
            command.Transaction = Transaction;
            command.ExecuteNonQuery();
        }

        public static Batch Begin(SqliteConnectionPool pool)
        {
            var connection = pool.Rent();
            try
            {
                // deferred: false → BEGIN IMMEDIATE: the write lock now, so no upgrade deadlock with
                // another process (the admin CLI) and no BUSY in the middle of a unit.
                return new Batch(connection, connection.BeginTransaction(deferred: false));
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
    }
}

/// <summary>
/// One unit of a group-committed SQLite write, as the <see cref="DbTransaction"/> stores already
/// use: <c>Db.Command</c> runs a command given it on the batch's connection (whatever
/// connection the store opened), <c>CommitAsync</c> keeps the change and returns once the commit
/// holding it is durable, and disposing it uncommitted undoes the change alone.
/// </summary>
internal sealed class BatchedWriteTransaction : DbTransaction
{
    private readonly SqliteGroupCommit _owner;
    private readonly SqliteGroupCommit.Batch _batch;
    private bool _ended;

    internal BatchedWriteTransaction(SqliteGroupCommit owner, SqliteGroupCommit.Batch batch)
    {
        _owner = owner;
        _batch = batch;
    }

    /// <summary>The batch's connection, on which every command of this unit runs.</summary>
    public PooledSqliteConnection SharedConnection => _batch.Connection;

    /// <summary>The batch's transaction, which those commands are given.</summary>
    public SqliteTransaction Inner => _batch.Transaction;

    public override IsolationLevel IsolationLevel => IsolationLevel.Serializable;

    protected override DbConnection DbConnection => _batch.Connection;

    /// <summary>
    /// Keeps the change and waits for the durable commit that holds it, whatever the token says:
    /// the change commits anyway, and an answer must never run ahead of its commit.
    /// </summary>
    public override Task CommitAsync(CancellationToken cancellationToken = default) => End(keep: true);

    public override void Commit() => End(keep: true).GetAwaiter().GetResult();

    public override Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        End(keep: false);
        return Task.CompletedTask;
    }

    public override void Rollback() => End(keep: false);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_ended)
        {
            End(keep: false);
        }

        base.Dispose(disposing);
    }

    private Task End(bool keep)
    {
        if (_ended)
        {
            throw new InvalidOperationException("This write has already been committed or rolled back.");
        }

        _ended = true;
        return _owner.EndUnit(_batch, keep);
    }
}
