namespace ActionConnections.Connections;

/// <summary>
/// Told after a connection was updated (any PATCH, a new external id included) or deleted through
/// this process, so state derived from it in memory (minted cloud credentials) is dropped at once.
/// </summary>
internal interface IConnectionChangeObserver
{
    void ConnectionChanged(Guid orgId, Guid connectionId);
}
