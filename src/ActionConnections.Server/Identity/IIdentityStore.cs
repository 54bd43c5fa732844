using System.Data.Common;
using ActionConnections.Auth;

namespace ActionConnections.Identity;

/// <summary>Organisations, principals and keys. Every method but the key lookups is scoped to one organisation.</summary>
internal interface IIdentityStore
{
    Task<bool> HasAnyOrganizationAsync(CancellationToken cancellationToken);

    /// <summary>Creates an organisation, its admin user and one API and one application key, in one transaction.</summary>
    Task<NewOrganization> CreateOrganizationAsync(string name, string adminName, string? apiKey, string? appKey, CancellationToken cancellationToken);

    Task<NewOrganization> CreateOrganizationAsync(DbTransaction tx, string name, string adminName, string? apiKey, string? appKey, CancellationToken cancellationToken);

    Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken cancellationToken);

    Task<Organization?> FindOrganizationAsync(Guid orgId, CancellationToken cancellationToken);

    Task<Principal> CreatePrincipalAsync(Guid orgId, PrincipalKind kind, string name, string? email, Role role, CancellationToken cancellationToken);

    Task<Principal> CreatePrincipalAsync(DbTransaction tx, Guid orgId, PrincipalKind kind, string name, string? email, Role role, CancellationToken cancellationToken);

    Task<IReadOnlyList<Principal>> ListPrincipalsAsync(Guid orgId, CancellationToken cancellationToken);

    Task<Principal?> FindPrincipalAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken);

    /// <summary>Disables a principal; its keys stop authenticating. False when there is no such principal.</summary>
    Task<bool> DisablePrincipalAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken);

    Task<bool> DisablePrincipalAsync(DbTransaction tx, Guid orgId, Guid principalId, CancellationToken cancellationToken);

    Task<NewKey<ApiKeyRecord>> CreateApiKeyAsync(Guid orgId, Guid createdBy, string name, string category, bool remoteConfigReadEnabled, CancellationToken cancellationToken);

    Task<NewKey<ApiKeyRecord>> CreateApiKeyAsync(DbTransaction tx, Guid orgId, Guid createdBy, string name, string category, bool remoteConfigReadEnabled, CancellationToken cancellationToken);

    /// <summary>Creates an API key unless the organisation has <paramref name="maxKeys"/> already (null then); count and insert are one atomic step in <paramref name="tx"/>.</summary>
    Task<NewKey<ApiKeyRecord>?> TryCreateApiKeyAsync(DbTransaction tx, Guid orgId, Guid createdBy, string name, string category, bool remoteConfigReadEnabled, int maxKeys, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> FindApiKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(Guid orgId, CancellationToken cancellationToken);

    /// <summary>Null when there is no such key.</summary>
    Task<ApiKeyRecord?> UpdateApiKeyAsync(DbTransaction tx, Guid orgId, Guid id, Guid modifiedBy, string name, string? category, bool? remoteConfigReadEnabled, CancellationToken cancellationToken);

    Task<bool> DeleteApiKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken);

    Task<bool> DeleteApiKeyAsync(DbTransaction tx, Guid orgId, Guid id, CancellationToken cancellationToken);

    Task<NewKey<AppKeyRecord>> CreateAppKeyAsync(Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, CancellationToken cancellationToken);

    Task<NewKey<AppKeyRecord>> CreateAppKeyAsync(DbTransaction tx, Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, CancellationToken cancellationToken);

    /// <summary>Creates an application key unless its owner has <paramref name="maxKeysPerOwner"/> already (null then); count and insert are one atomic step in <paramref name="tx"/>.</summary>
    Task<NewKey<AppKeyRecord>?> TryCreateAppKeyAsync(DbTransaction tx, Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, int maxKeysPerOwner, CancellationToken cancellationToken);

    Task<AppKeyRecord?> FindAppKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken);

    Task<IReadOnlyList<AppKeyRecord>> ListAppKeysAsync(Guid orgId, Guid? ownerId, CancellationToken cancellationToken);

    /// <summary>Renames and/or re-scopes. <paramref name="setScopes"/> says whether <paramref name="scopes"/> applies (null then means "unscoped").</summary>
    Task<AppKeyRecord?> UpdateAppKeyAsync(DbTransaction tx, Guid orgId, Guid id, string? name, bool setScopes, IReadOnlyList<string>? scopes, CancellationToken cancellationToken);

    Task<bool> DeleteAppKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>Deletes the key and its registration.</summary>
    Task<bool> DeleteAppKeyAsync(DbTransaction tx, Guid orgId, Guid id, CancellationToken cancellationToken);

    /// <summary>The organisation and id of an API key, or null; for attributing failed authentications.</summary>
    Task<(Guid OrgId, Guid ApiKeyId)?> FindApiKeyOwnerAsync(string apiKey, CancellationToken cancellationToken);

    /// <summary>
    /// Resolves a key pair to a caller. Both lookups always run, whatever the first finds, so the
    /// time taken does not tell which key was wrong. Null for any failure.
    /// </summary>
    Task<Caller?> AuthenticateAsync(string apiKey, string appKey, CancellationToken cancellationToken);
}

internal static class IdentityServices
{
    /// <summary>Organisations, principals and keys.</summary>
    public static IHostApplicationBuilder AddIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IIdentityStore, SqlIdentityStore>();
        return builder;
    }
}
