using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.AppKeyRegistrations;

/// <summary>
/// The four app key registration operations (docs/reference/BEHAVIOR.md §8). A registration's id is the
/// application key's id; only registered keys may use the connection operations.
/// </summary>
internal static class AppKeyRegistrationsApi
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    internal const Permission ManageRegistration = Permission.UserAccessManage | Permission.UserAppKeys | Permission.ServiceAccountWrite;

    public static IEndpointRouteBuilder MapAppKeyRegistrations(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v2/actions/app_key_registrations");
        group.MapGet("", ListAsync);
        group.MapGet("/{app_key_id}", GetAsync);
        group.MapPut("/{app_key_id}", RegisterAsync).Audited(AuditActions.RegistrationCreate, "app_key", "app_key_id").InvalidatesAuthentication();
        group.MapDelete("/{app_key_id}", UnregisterAsync).Audited(AuditActions.RegistrationDelete, "app_key", "app_key_id").InvalidatesAuthentication();
        return routes;
    }

    public static async Task<Results<JsonApiResult<ListAppKeyRegistrationsResponse>, ApiProblemResult>> ListAsync(
        HttpContext context, IRegistrationStore registrations, CancellationToken ct)
    {
        var caller = context.Caller();
        if (caller.RequireAny(Permission.OrgAppKeysRead) is { } forbidden)
        {
            return new ApiProblemResult(forbidden);
        }

        if (!PageQuery.TryParse(context.Request.Query, DefaultPageSize, MaxPageSize, out var page, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var result = await registrations.ListAsync(caller.OrgId, page.Size, page.Number, ct);
        var body = new ListAppKeyRegistrationsResponse(
            [.. result.Items.Select(id => new AppKeyRegistrationData(id))],
            new ListAppKeyRegistrationsMeta(result.Total, result.Total));
        return JsonApiResult.Ok(body, AppJson.Context.ListAppKeyRegistrationsResponse);
    }

    public static async Task<Results<JsonApiResult<AppKeyRegistrationResponse>, ApiProblemResult>> GetAsync(
        string app_key_id, HttpContext context, IRegistrationStore registrations, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(app_key_id, out var id))
        {
            return new ApiProblemResult(ApiProblem.InvalidPathUuid("appKeyId"));
        }

        var caller = context.Caller();
        if (caller.RequireAny(Permission.OrgAppKeysRead) is { } forbidden)
        {
            return new ApiProblemResult(forbidden);
        }

        return await registrations.IsRegisteredAsync(caller.OrgId, id, ct)
            ? JsonApiResult.Ok(new AppKeyRegistrationResponse(new AppKeyRegistrationData(id)), AppJson.Context.AppKeyRegistrationResponse)
            : new ApiProblemResult(AppKeyNotFound);
    }

    public static async Task<Results<JsonApiResult<AppKeyRegistrationResponse>, ApiProblemResult>> RegisterAsync(
        string app_key_id, HttpContext context, IIdentityStore identity, IRegistrationStore registrations, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(app_key_id, out var id))
        {
            return new ApiProblemResult(ApiProblem.InvalidPathUuid("appKeyId"));
        }

        var caller = context.Caller();
        if (caller.RequireAny(ManageRegistration) is { } forbidden)
        {
            return new ApiProblemResult(forbidden);
        }

        // The spec documents no 404 for this operation: an unknown key is a bad request.
        var key = await identity.FindAppKeyAsync(caller.OrgId, id, ct);
        if (key is null)
        {
            return new ApiProblemResult(ApiProblem.BadRequest("app key not found"));
        }

        if (await MayManageAsync(caller, key, identity, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        await registrations.RegisterAsync(caller.OrgId, id, caller.PrincipalId, ct);
        return JsonApiResult.Created(new AppKeyRegistrationResponse(new AppKeyRegistrationData(id)), AppJson.Context.AppKeyRegistrationResponse);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> UnregisterAsync(
        string app_key_id, HttpContext context, IIdentityStore identity, IRegistrationStore registrations, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(app_key_id, out var id))
        {
            return new ApiProblemResult(ApiProblem.InvalidPathUuid("appKeyId"));
        }

        var caller = context.Caller();
        if (caller.RequireAny(ManageRegistration) is { } forbidden)
        {
            return new ApiProblemResult(forbidden);
        }

        var key = await identity.FindAppKeyAsync(caller.OrgId, id, ct);
        if (key is null)
        {
            return new ApiProblemResult(AppKeyNotFound);
        }

        if (await MayManageAsync(caller, key, identity, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        return await registrations.UnregisterAsync(caller.OrgId, id, ct)
            ? TypedResults.NoContent()
            : new ApiProblemResult(AppKeyNotFound);
    }

    /// <summary>The recorded 404 body: <c>{"errors":[{"detail":"app key not found"}]}</c>.</summary>
    private static ApiProblem AppKeyNotFound => new(StatusCodes.Status404NotFound, new ApiError("app key not found"));

    /// <summary>
    /// <c>user_access_manage</c>: any key of the organisation; <c>user_app_keys</c>: the caller's own
    /// keys; <c>service_account_write</c>: keys owned by service accounts.
    /// </summary>
    internal static async Task<ApiProblem?> MayManageAsync(Caller caller, AppKeyRecord key, IIdentityStore identity, CancellationToken ct)
    {
        if (caller.Has(Permission.UserAccessManage))
        {
            return null;
        }

        if (caller.Has(Permission.UserAppKeys) && key.OwnerId == caller.PrincipalId)
        {
            return null;
        }

        if (caller.Has(Permission.ServiceAccountWrite))
        {
            var owner = await identity.FindPrincipalAsync(caller.OrgId, key.OwnerId, ct);
            if (owner?.Kind == PrincipalKind.ServiceAccount)
            {
                return null;
            }
        }

        return ApiProblem.Forbidden("Forbidden: you may not manage the registration of this application key");
    }
}
