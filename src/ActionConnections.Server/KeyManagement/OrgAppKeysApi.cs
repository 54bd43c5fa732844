using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Errors;
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
        group.MapGet("", ListAsync);
        group.MapGet("/{app_key_id}", GetAsync);
        group.MapPatch("/{app_key_id}", UpdateAsync).Audited(AuditActions.AppKeyUpdate, "app_key", "app_key_id").InvalidatesAuthentication();
        group.MapDelete("/{app_key_id}", DeleteAsync).Audited(AuditActions.AppKeyRevoke, "app_key", "app_key_id").InvalidatesAuthentication();
        return routes;
    }

    public static async Task<Results<JsonApiResult<AppKeysResponse>, ApiProblemResult>> ListAsync(
        HttpContext context, IIdentityStore identity, CancellationToken ct)
    {
        var caller = context.Caller();
        return caller.RequireAny(Permission.OrgAppKeysRead) is { } forbidden
            ? new ApiProblemResult(forbidden)
            : await AppKeyOperations.ListAsync(context, identity, caller.OrgId, ownerId: null, withOwner: true, ct);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> GetAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, HttpContext context, IIdentityStore identity, CancellationToken ct)
    {
        var caller = context.Caller();
        return caller.RequireAny(Permission.OrgAppKeysRead) is { } forbidden
            ? new ApiProblemResult(forbidden)
            : await AppKeyOperations.GetAsync(identity, caller.OrgId, ownerId: null, appKeyId, withOwner: true, ct);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> UpdateAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, HttpContext context, IIdentityStore identity, CancellationToken ct)
    {
        var caller = context.Caller();
        return caller.RequireAny(Permission.OrgAppKeysWrite) is { } forbidden
            ? new ApiProblemResult(forbidden)
            : await AppKeyOperations.UpdateAsync(context, identity, caller, ownerId: null, appKeyId, withOwner: true, ct);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        [FromRoute(Name = "app_key_id")] string appKeyId, HttpContext context, IIdentityStore identity, CancellationToken ct)
    {
        var caller = context.Caller();
        return caller.RequireAny(Permission.OrgAppKeysWrite) is { } forbidden
            ? new ApiProblemResult(forbidden)
            : await AppKeyOperations.DeleteAsync(identity, caller.OrgId, ownerId: null, appKeyId, ct);
    }
}
