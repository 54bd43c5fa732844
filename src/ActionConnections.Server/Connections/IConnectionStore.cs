using System.Data.Common;
using ActionConnections.Audit;
using ActionConnections.Storage;

namespace ActionConnections.Connections;

/// <summary>Connections, always within one organisation.</summary>
internal interface IConnectionStore
{
    /// <summary>Inserts the connection, and <paramref name="audit"/> (when given) in the same transaction.</summary>
    Task InsertAsync(ConnectionRecord connection, AuditEvent? audit, CancellationToken cancellationToken);

    /// <summary>Inserts the connection in <paramref name="tx"/> (see <see cref="AuditedWrites"/>); true once inserted.</summary>
    Task<bool> InsertAsync(DbTransaction tx, ConnectionRecord connection, CancellationToken cancellationToken);

    /// <summary>The whole stored connection, sealed secrets included (for updates and rotation).</summary>
    Task<ConnectionRecord?> FindAsync(Guid orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>What GET shows: the public columns only.</summary>
    Task<PublicConnection?> FindPublicAsync(Guid orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the connection in <paramref name="tx"/> under a write lock (its row lock on PostgreSQL;
    /// the write gate and SQLite's single writer lock on SQLite), lets <paramref name="change"/>
    /// compute its next state from it, and writes that state. Contended writers of one connection
    /// queue on the lock one after another, so none fails and none loses another's update (ADR 0006).
    /// Returns the state written, or null when the connection does not exist or
    /// <paramref name="change"/> returned null (nothing is written).
    /// </summary>
    Task<ConnectionRecord?> UpdateAsync(DbTransaction tx, Guid orgId, Guid id, Func<ConnectionRecord, ConnectionRecord?> change, CancellationToken cancellationToken);

    /// <summary>Deletes the connection in <paramref name="tx"/>; false when there was none.</summary>
    Task<bool> DeleteAsync(DbTransaction tx, Guid orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>Master keys the stored secrets are under (for the start-up check and rotation).</summary>
    Task<IReadOnlyList<string>> KeyIdsInUseAsync(CancellationToken cancellationToken);

    /// <summary>How many connections have secrets under a key other than <paramref name="keyId"/>.</summary>
    Task<long> CountNotUnderKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> connections with secrets under another key than <paramref name="keyId"/>, across organisations.</summary>
    Task<IReadOnlyList<(Guid OrgId, Guid Id)>> ListNotUnderKeyAsync(string keyId, int limit, CancellationToken cancellationToken);

    /// <summary>A page in stable order (name, then id); total counts the organisation's connections, filtered those that match.</summary>
    Task<(Page<PublicConnection> Page, long TotalFiltered)> ListAsync(Guid orgId, ConnectionFilter filter, int pageSize, long pageNumber, CancellationToken cancellationToken);
}
