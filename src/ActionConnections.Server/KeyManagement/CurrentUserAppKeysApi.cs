using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.KeyManagement;

/// <summary>
/// <c>/api/v2/current_user/application_keys</c>: the keys of the principal the caller's
/// application key belongs to. Keys of anyone else are "not found".
/// </summary>
internal static class CurrentUserAppKeysApi
{
    public static IEndpointRouteBuilder MapCurrentUserAppKeys(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v2/current_user/application_keys").RequirePermission(Permission.UserAppKeys)
            .MapOwnedAppKeys(ListAsync, CreateAsync, GetAsync, UpdateAsync, DeleteAsync);
        return routes;
    }

    /// <summary>Items come without <c>owned_by</c>, as recorded for this list.</summary>
    public static Task<Results<JsonApiResult<AppKeysResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, Caller caller, IIdentityStore identity, CancellationToken ct) =>
        AppKeyOperations.ListAsync(http, identity, caller.OrgId, caller.PrincipalId, withOwner: false, ct);

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> CreateAsync(
        HttpRequest http, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        var self = await identity.FindPrincipalAsync(caller.OrgId, caller.PrincipalId, ct)
            ?? throw new InvalidOperationException("The authenticated principal is not in the store.");
        return await AppKeyOperations.CreateAsync(http, new KeyWrites(identity, writes, audit), caller, self, ct);
    }

    public static Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> GetAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, Caller caller, IIdentityStore identity, CancellationToken ct) =>
        AppKeyOperations.GetAsync(identity, caller.OrgId, caller.PrincipalId, appKeyId, withOwner: true, ct);

    public static Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> UpdateAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, HttpRequest http, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct) =>
        AppKeyOperations.UpdateAsync(http, new KeyWrites(identity, writes, audit), caller, caller.PrincipalId, appKeyId, withOwner: true, ct);

    public static Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct) =>
        AppKeyOperations.DeleteAsync(new KeyWrites(identity, writes, audit), caller.OrgId, caller.PrincipalId, appKeyId, ct);
}
