using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Gateway;
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

    public static IHostApplicationBuilder AddAppKeyRegistrations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IRegistrationStore, SqlRegistrationStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAppKeyRegistrations(this IEndpointRouteBuilder routes)
    {
        // As recorded, an id that is not a UUID is answered before permissions are looked at.
        var group = routes.MapGroup("/api/v2/actions/app_key_registrations").RequireUuidRouteValue("app_key_id", ApiProblem.InvalidPathUuid("appKeyId"));
        group.MapGet("", ListAsync).RequirePermission(Permission.OrgAppKeysRead);
        group.MapGet("/{app_key_id}", GetAsync).RequirePermission(Permission.OrgAppKeysRead);
        group.MapPut("/{app_key_id}", RegisterAsync).RequirePermission(ManageRegistration)
            .Audited(AuditActions.RegistrationCreate, "app_key", "app_key_id").InvalidatesAuthentication();
        group.MapDelete("/{app_key_id}", UnregisterAsync).RequirePermission(ManageRegistration)
            .Audited(AuditActions.RegistrationDelete, "app_key", "app_key_id").InvalidatesAuthentication();
        return routes;
    }

    public static async Task<Results<JsonApiResult<ListAppKeyRegistrationsResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, Caller caller, IRegistrationStore registrations, CancellationToken ct)
    {
        if (!PageQuery.Parse(http.Query, DefaultPageSize, MaxPageSize).TryGetValue(out var page, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var result = await registrations.ListAsync(caller.OrgId, page.Size, page.Number, ct);
        var body = new ListAppKeyRegistrationsResponse(
            [.. result.Items.Select(id => new AppKeyRegistrationData(id))],
            new ListTotals(result.Total, result.Total));
        return JsonApiResult.Ok(body, AppJson.Context.ListAppKeyRegistrationsResponse);
    }

    public static async Task<Results<JsonApiResult<AppKeyRegistrationResponse>, ApiProblemResult>> GetAsync(
        string app_key_id, Caller caller, IRegistrationStore registrations, CancellationToken ct)
    {
        var id = RouteIds.Uuid(app_key_id);
        return await registrations.IsRegisteredAsync(caller.OrgId, id, ct)
            ? JsonApiResult.Ok(new AppKeyRegistrationResponse(new AppKeyRegistrationData(id)), AppJson.Context.AppKeyRegistrationResponse)
            : new ApiProblemResult(AppKeyNotFound);
    }

    public static async Task<Results<JsonApiResult<AppKeyRegistrationResponse>, ApiProblemResult>> RegisterAsync(
        string app_key_id, Caller caller, AuditedAction audit, IIdentityStore identity, IRegistrationStore registrations, AuditedWrites writes, CancellationToken ct)
    {
        // The spec documents no 404 for this operation: an unknown key is a bad request.
        var id = RouteIds.Uuid(app_key_id);
        var key = await identity.FindAppKeyAsync(caller.OrgId, id, ct);
        if (key is null)
        {
            return new ApiProblemResult(ApiProblem.BadRequest("app key not found"));
        }

        if (await MayManageAsync(caller, key, identity, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        // Idempotent: registering a registered key succeeds again, and is recorded again.
        await writes.RunAsync(audit, tx => registrations.RegisterAsync(tx, caller.OrgId, id, caller.PrincipalId, ct), _ => AuditOutcome.Http(StatusCodes.Status201Created), ct);
        return JsonApiResult.Created(new AppKeyRegistrationResponse(new AppKeyRegistrationData(id)), AppJson.Context.AppKeyRegistrationResponse);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> UnregisterAsync(
        string app_key_id, Caller caller, AuditedAction audit, IIdentityStore identity, IRegistrationStore registrations, AuditedWrites writes, CancellationToken ct)
    {
        var id = RouteIds.Uuid(app_key_id);
        var key = await identity.FindAppKeyAsync(caller.OrgId, id, ct);
        if (key is null)
        {
            return new ApiProblemResult(AppKeyNotFound);
        }

        if (await MayManageAsync(caller, key, identity, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        var unregistered = await writes.RunAsync(
            audit, tx => registrations.UnregisterAsync(tx, caller.OrgId, id, ct), done => done ? AuditOutcome.Http(StatusCodes.Status204NoContent) : null, ct);
        return unregistered ? TypedResults.NoContent() : new ApiProblemResult(AppKeyNotFound);
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
