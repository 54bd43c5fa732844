using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Gateway;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.KeyManagement;

/// <summary>
/// <c>/api/v2/application_keys</c>: every application key of the organisation, whoever owns it.
/// There is no create here; keys are created for the current user or a service account.
/// </summary>
internal static class OrgAppKeysApi
{
    public static IEndpointRouteBuilder MapOrgAppKeys(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v2/application_keys");
        group.MapGet("", ListAsync).RequirePermission(Permission.OrgAppKeysRead);
        group.MapGet("/{app_key_id}", GetAsync).RequirePermission(Permission.OrgAppKeysRead);
        group.MapPatch("/{app_key_id}", UpdateAsync).RequirePermission(Permission.OrgAppKeysWrite)
            .Audited(AuditActions.AppKeyUpdate, "app_key", "app_key_id").InvalidatesAuthentication();
        group.MapDelete("/{app_key_id}", DeleteAsync).RequirePermission(Permission.OrgAppKeysWrite)
            .Audited(AuditActions.AppKeyRevoke, "app_key", "app_key_id").InvalidatesAuthentication();
        return routes;
    }

    public static Task<Results<JsonApiResult<AppKeysResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, Caller caller, IIdentityStore identity, CancellationToken ct) =>
        AppKeyOperations.ListAsync(http, identity, caller.OrgId, ownerId: null, withOwner: true, ct);

    public static Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> GetAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, Caller caller, IIdentityStore identity, CancellationToken ct) =>
        AppKeyOperations.GetAsync(identity, caller.OrgId, ownerId: null, appKeyId, withOwner: true, ct);

    public static Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> UpdateAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, HttpRequest http, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct) =>
        AppKeyOperations.UpdateAsync(http, new KeyWrites(identity, writes, audit), caller, ownerId: null, appKeyId, withOwner: true, ct);

    public static Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct) =>
        AppKeyOperations.DeleteAsync(new KeyWrites(identity, writes, audit), caller.OrgId, ownerId: null, appKeyId, ct);
}
