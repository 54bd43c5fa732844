using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Errors;
using ActionConnections.Gateway;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;

using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.KeyManagement;

/// <summary>
/// What the three application key paths (current user, organisation, service account) share.
/// Each path decides who may call it and whose keys it sees (<c>ownerId</c>: one principal, or
/// null for every key of the organisation); a key outside that set is "not found".
/// </summary>
internal static class AppKeyOperations
{
    /// <summary>
    /// The five routes of one owner's key collection (the current user's, a service account's),
    /// audited alike; a change or revocation drops what authentication cached of the key.
    /// </summary>
    public static RouteGroupBuilder MapOwnedAppKeys(this RouteGroupBuilder group, Delegate list, Delegate create, Delegate get, Delegate update, Delegate delete)
    {
        group.MapGet("", list);
        group.MapPost("", create).Audited(AuditActions.AppKeyCreate, "app_key");
        group.MapGet("/{app_key_id}", get);
        group.MapPatch("/{app_key_id}", update).Audited(AuditActions.AppKeyUpdate, "app_key", "app_key_id").InvalidatesAuthentication();
        group.MapDelete("/{app_key_id}", delete).Audited(AuditActions.AppKeyRevoke, "app_key", "app_key_id").InvalidatesAuthentication();
        return group;
    }

    public static async Task<Results<JsonApiResult<AppKeysResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, IIdentityStore identity, Guid orgId, Guid? ownerId, bool withOwner, CancellationToken ct)
    {
        if (!KeyListQuery.ParseForAppKeys(http.Query).TryGetValue(out var query, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var (items, total) = query.Apply(await identity.ListAppKeysAsync(orgId, ownerId, ct));
        var body = new AppKeysResponse(
            [.. items.Select(k => KeyMapping.AppKey(k, withOwner))],
            new AppKeysMeta { Page = new KeyListPage { TotalFilteredCount = total }, MaxAllowedPerUser = KeyManagementApi.MaxAppKeysPerOwner });
        return KeyManagementApi.Ok(body, AppJson.Context.AppKeysResponse);
    }

    /// <summary>Creates a key for <paramref name="owner"/>; the 201 is the only response that carries the secret.</summary>
    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> CreateAsync(
        HttpRequest http, KeyWrites writes, Caller caller, Principal owner, CancellationToken ct)
    {
        var identity = writes.Identity;
        var read = await KeyManagementRequests.ReadAppKeyCreateAsync(http, ct);
        if (!read.TryGetValue(out var request, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        if (MayGrant(caller, owner.Role, request.Scopes) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        // The cap is counted in the insert's transaction, so concurrent creates cannot overshoot it.
        var created = await writes.RunAsync(
            tx => identity.TryCreateAppKeyAsync(tx, caller.OrgId, owner.Id, request.Name, request.Scopes, KeyManagementApi.MaxAppKeysPerOwner, ct),
            key => key is null ? null : AuditOutcome.Created(key.Record.Id),
            ct);
        if (created is null)
        {
            return new ApiProblemResult(ApiProblem.BadRequest($"Maximum number of application keys per user ({KeyManagementApi.MaxAppKeysPerOwner}) reached"));
        }

        var body = new AppKeyResponse(KeyMapping.AppKey(created.Record, withOwner: true, created.Key));
        return KeyManagementApi.Created(body, AppJson.Context.AppKeyResponse);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> GetAsync(
        IIdentityStore identity, Guid orgId, Guid? ownerId, string rawId, bool withOwner, CancellationToken ct)
    {
        var key = await FindAsync(identity, orgId, ownerId, rawId, ct);
        return key is null
            ? new ApiProblemResult(KeyManagementApi.AppKeyNotFound)
            : KeyManagementApi.Ok(new AppKeyResponse(KeyMapping.AppKey(key, withOwner)), AppJson.Context.AppKeyResponse);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> UpdateAsync(
        HttpRequest http, KeyWrites writes, Caller caller, Guid? ownerId, string rawId, bool withOwner, CancellationToken ct)
    {
        var identity = writes.Identity;
        if (!RouteIds.TryParseUuid(rawId, out var id))
        {
            return new ApiProblemResult(KeyManagementApi.AppKeyNotFound);
        }

        var read = await KeyManagementRequests.ReadAppKeyUpdateAsync(http, id, ct);
        if (!read.TryGetValue(out var request, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var key = await FindAsync(identity, caller.OrgId, ownerId, id, ct);
        if (key is null)
        {
            return new ApiProblemResult(KeyManagementApi.AppKeyNotFound);
        }

        if (request.SetScopes && await MayRescopeAsync(identity, caller, key, request.Scopes, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        var updated = await writes.RunAsync(
            tx => identity.UpdateAppKeyAsync(tx, caller.OrgId, id, request.Name, request.SetScopes, request.Scopes, ct),
            key => key is null ? null : AuditOutcome.Http(StatusCodes.Status200OK),
            ct);
        return updated is null
            ? new ApiProblemResult(KeyManagementApi.AppKeyNotFound)
            : KeyManagementApi.Ok(new AppKeyResponse(KeyMapping.AppKey(updated, withOwner)), AppJson.Context.AppKeyResponse);
    }

    /// <summary>Deletes the key and, in the store, its app key registration.</summary>
    public static async Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        KeyWrites writes, Guid orgId, Guid? ownerId, string rawId, CancellationToken ct)
    {
        var identity = writes.Identity;
        var key = await FindAsync(identity, orgId, ownerId, rawId, ct);
        return key is not null
            && await writes.RunAsync(tx => identity.DeleteAppKeyAsync(tx, orgId, key.Id, ct), deleted => deleted ? AuditOutcome.Http(StatusCodes.Status204NoContent) : null, ct)
            ? TypedResults.NoContent()
            : new ApiProblemResult(KeyManagementApi.AppKeyNotFound);
    }

    /// <summary>
    /// Scopes only narrow what a key may do, so a key that could itself create or re-scope keys
    /// must not hand out more than it has: a key scoped to <c>user_app_keys</c> could otherwise
    /// mint an unscoped key of its owner. Only the permissions this service enforces count.
    /// </summary>
    public static ApiProblem? MayGrant(Caller caller, Role ownerRole, IReadOnlyList<string>? scopes)
    {
        var excess = Roles.PermissionsOf(ownerRole) & Permissions.FromScopes(scopes) & ~caller.Permissions;
        if (excess == Permission.None)
        {
            return null;
        }

        var names = Permissions.ByName.Where(p => excess.HasFlag(p.Value) && p.Key != "connections_write").Select(p => p.Key);
        return ApiProblem.Forbidden($"Forbidden: the application key would have permissions the calling key does not have: {string.Join(", ", names)}");
    }

    private static async Task<ApiProblem?> MayRescopeAsync(IIdentityStore identity, Caller caller, AppKeyRecord key, IReadOnlyList<string>? scopes, CancellationToken ct)
    {
        var owner = await identity.FindPrincipalAsync(caller.OrgId, key.OwnerId, ct);
        return owner is null ? KeyManagementApi.AppKeyNotFound : MayGrant(caller, owner.Role, scopes);
    }

    /// <summary>An id that is not a UUID finds nothing: the recorded answer is the same 404.</summary>
    private static async Task<AppKeyRecord?> FindAsync(IIdentityStore identity, Guid orgId, Guid? ownerId, string rawId, CancellationToken ct) =>
        RouteIds.TryParseUuid(rawId, out var id) ? await FindAsync(identity, orgId, ownerId, id, ct) : null;

    private static async Task<AppKeyRecord?> FindAsync(IIdentityStore identity, Guid orgId, Guid? ownerId, Guid id, CancellationToken ct)
    {
        var key = await identity.FindAppKeyAsync(orgId, id, ct);
        return key is not null && (ownerId is null || key.OwnerId == ownerId) ? key : null;
    }
}

/// <summary>
/// What an audited key operation writes with: the identity store, the one audited-write helper,
/// and the action the endpoint declares (bound together so the shared operations take one parameter).
/// </summary>
internal sealed record KeyWrites(IIdentityStore Identity, AuditedWrites Writes, AuditedAction Action)
{
    public Task<T> RunAsync<T>(Func<System.Data.Common.DbTransaction, Task<T>> change, Func<T, AuditOutcome?> outcome, CancellationToken ct) =>
        Writes.RunAsync(Action, change, outcome, ct);
}
