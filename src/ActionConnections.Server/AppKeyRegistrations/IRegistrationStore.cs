using System.Data.Common;
using ActionConnections.Storage;

namespace ActionConnections.AppKeyRegistrations;

/// <summary>Which application keys of an organisation may use the Action Connection API.</summary>
internal interface IRegistrationStore
{
    /// <summary>Registers the key (idempotent).</summary>
    Task RegisterAsync(Guid orgId, Guid appKeyId, Guid registeredBy, CancellationToken cancellationToken);

    /// <summary>Registers the key in <paramref name="tx"/> (idempotent); false when the key does not exist.</summary>
    Task<bool> RegisterAsync(DbTransaction tx, Guid orgId, Guid appKeyId, Guid registeredBy, CancellationToken cancellationToken);

    Task<bool> IsRegisteredAsync(Guid orgId, Guid appKeyId, CancellationToken cancellationToken);

    /// <summary>Unregisters the key in <paramref name="tx"/>; false when it was not registered.</summary>
    Task<bool> UnregisterAsync(DbTransaction tx, Guid orgId, Guid appKeyId, CancellationToken cancellationToken);

    /// <summary>Registered key ids, oldest registration first.</summary>
    Task<Page<Guid>> ListAsync(Guid orgId, int pageSize, long pageNumber, CancellationToken cancellationToken);
}
