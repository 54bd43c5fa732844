using System.Data.Common;

namespace ActionConnections.Storage;

/// <summary>
/// The storage seam. Stores run portable SQL (named <c>@parameters</c> typed by
/// <see cref="Db.With{T}"/>, <c>ON CONFLICT</c>, ids as text, times as integer microseconds) over
/// a <see cref="DbConnection"/> from here, so a provider is a connection factory plus its
/// migrations, and endpoints never see which one runs.
/// </summary>
internal interface IDatabase
{
    string ProviderName { get; }

    /// <summary>Opens a pooled connection, ready for use.</summary>
    ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins a transaction that takes the write lock at once (no upgrade deadlocks).</summary>
    ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Appended to a <c>SELECT</c> inside a write transaction to lock the rows it reads until the
    /// transaction ends: <c> FOR UPDATE</c> on PostgreSQL; empty on SQLite, whose write
    /// transaction already excludes every other writer.
    /// </summary>
    string LockRowClause { get; }

    /// <summary>Applies pending migrations; returns how many were applied. Replicas running it at once apply each once.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The version of the newest migration applied (0 for an empty database).</summary>
    Task<long> SchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Holds the lock that serialises one-off start-up work (creating the bootstrap organisation)
    /// between replicas that start together, until disposed.
    /// </summary>
    Task<IAsyncDisposable> AcquireStartupLockAsync(CancellationToken cancellationToken);

    /// <summary>True when the exception means "the store cannot answer now", not a bug.</summary>
    bool IsTransient(Exception exception);
}

/// <summary>The store could not be reached or stayed locked; the request may be retried.</summary>
internal sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);
