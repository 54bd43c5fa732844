using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.KeyManagement;

/// <summary>
/// <c>/api/v2/service_accounts/{service_account_id}/application_keys</c>: the keys of one service
/// account of the organisation. As recorded, reads and updates answer the partial key, without
/// <c>owned_by</c>; only the 201 of a create names the owner and carries the secret.
/// </summary>
internal static class ServiceAccountAppKeysApi
{
    public static IEndpointRouteBuilder MapServiceAccountAppKeys(this IEndpointRouteBuilder routes)
    {
        // The permission is checked before the account is looked up, so callers without it learn
        // nothing about which accounts exist.
        routes.MapGroup("/api/v2/service_accounts/{service_account_id}/application_keys").RequirePermission(Permission.ServiceAccountWrite)
            .MapOwnedAppKeys(ListAsync, CreateAsync, GetAsync, UpdateAsync, DeleteAsync);
        return routes;
    }

    public static async Task<Results<JsonApiResult<AppKeysResponse>, ApiProblemResult>> ListAsync(
        [FromRoute(Name = "service_account_id")] string serviceAccountId, HttpRequest http, Caller caller, IIdentityStore identity, CancellationToken ct)
    {
        if (!(await FindServiceAccountAsync(caller, serviceAccountId, identity, ct)).TryGetValue(out var account, out var problem))
        {
            return new ApiProblemResult(problem);
        }

        return await AppKeyOperations.ListAsync(http, identity, caller.OrgId, account.Id, withOwner: false, ct);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> CreateAsync(
        [FromRoute(Name = "service_account_id")] string serviceAccountId, HttpRequest http, Caller caller, AuditedAction audit,
        IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        if (!(await FindServiceAccountAsync(caller, serviceAccountId, identity, ct)).TryGetValue(out var account, out var problem))
        {
            return new ApiProblemResult(problem.StatusCode == StatusCodes.Status404NotFound ? KeyManagementApi.ServiceAccountNotFoundOnCreate : problem);
        }

        return await AppKeyOperations.CreateAsync(http, new KeyWrites(identity, writes, audit), caller, account, ct);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> GetAsync(
        [FromRoute(Name = "service_account_id")] string serviceAccountId, [FromRoute(Name = "app_key_id")] string appKeyId,
        Caller caller, IIdentityStore identity, CancellationToken ct)
    {
        if (!(await FindServiceAccountAsync(caller, serviceAccountId, identity, ct)).TryGetValue(out var account, out var problem))
        {
            return new ApiProblemResult(problem);
        }

        return await AppKeyOperations.GetAsync(identity, caller.OrgId, account.Id, appKeyId, withOwner: false, ct);
    }

    public static async Task<Results<JsonApiResult<AppKeyResponse>, ApiProblemResult>> UpdateAsync(
        [FromRoute(Name = "service_account_id")] string serviceAccountId, [FromRoute(Name = "app_key_id")] string appKeyId,
        HttpRequest http, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        if (!(await FindServiceAccountAsync(caller, serviceAccountId, identity, ct)).TryGetValue(out var account, out var problem))
        {
            return new ApiProblemResult(problem);
        }

        return await AppKeyOperations.UpdateAsync(http, new KeyWrites(identity, writes, audit), caller, account.Id, appKeyId, withOwner: false, ct);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        [FromRoute(Name = "service_account_id")] string serviceAccountId, [FromRoute(Name = "app_key_id")] string appKeyId,
        Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        if (!(await FindServiceAccountAsync(caller, serviceAccountId, identity, ct)).TryGetValue(out var account, out var problem))
        {
            return new ApiProblemResult(problem);
        }

        return await AppKeyOperations.DeleteAsync(new KeyWrites(identity, writes, audit), caller.OrgId, account.Id, appKeyId, ct);
    }

    /// <summary>The service account named by the path, in the caller's organisation.</summary>
    private static async Task<Validated<Principal>> FindServiceAccountAsync(Caller caller, string rawId, IIdentityStore identity, CancellationToken ct)
    {
        var principal = RouteIds.TryParseUuid(rawId, out var id) ? await identity.FindPrincipalAsync(caller.OrgId, id, ct) : null;
        return principal?.Kind == PrincipalKind.ServiceAccount
            ? Validated<Principal>.Valid(principal)
            : Validated<Principal>.Invalid(KeyManagementApi.ServiceAccountNotFound);
    }
}
