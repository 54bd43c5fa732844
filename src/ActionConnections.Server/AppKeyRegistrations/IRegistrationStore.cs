namespace ActionConnections.AppKeyRegistrations;

internal sealed record Page<T>(IReadOnlyList<T> Items, long Total);

/// <summary>Which application keys of an organisation may use the Action Connection API.</summary>
internal interface IRegistrationStore
{
    /// <summary>Registers the key (idempotent).</summary>
    Task RegisterAsync(Guid orgId, Guid appKeyId, Guid registeredBy, CancellationToken cancellationToken);

    Task<bool> IsRegisteredAsync(Guid orgId, Guid appKeyId, CancellationToken cancellationToken);

    /// <summary>False when the key was not registered.</summary>
    Task<bool> UnregisterAsync(Guid orgId, Guid appKeyId, CancellationToken cancellationToken);

    /// <summary>Registered key ids, oldest registration first.</summary>
    Task<Page<Guid>> ListAsync(Guid orgId, int pageSize, long pageNumber, CancellationToken cancellationToken);
}
