using System.Data;
using System.Data.Common;

namespace ActionConnections.Storage;

/// <summary>
/// A write transaction that holds this process's write gate until it is disposed. SQLite has one
/// writer at a time; without the gate, concurrent writers wait in SQLite's busy handler, which
/// sleeps in growing steps and hands the lock over late and out of order (long tails, and past
/// the busy timeout a 503). With it they queue on an async semaphore, and SQLite's own locking
/// only arbitrates between processes (the server and the admin CLI).
/// </summary>
internal sealed class GatedTransaction(DbTransaction inner, SemaphoreSlim gate) : DbTransaction
{
    private int _released;

    /// <summary>The provider's transaction, which its commands must be given.</summary>
    public DbTransaction Inner { get; } = inner;

    public override IsolationLevel IsolationLevel => Inner.IsolationLevel;

    protected override DbConnection? DbConnection => Inner.Connection;

    public override void Commit() => Inner.Commit();

    public override void Rollback() => Inner.Rollback();

    public override Task CommitAsync(CancellationToken cancellationToken = default) => Inner.CommitAsync(cancellationToken);

    public override Task RollbackAsync(CancellationToken cancellationToken = default) => Inner.RollbackAsync(cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await Inner.DisposeAsync();
        }
        finally
        {
            Release();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                Inner.Dispose();
            }
            finally
            {
                Release();
            }
        }

        base.Dispose(disposing);
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            gate.Release();
        }
    }
}
