using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Gateway;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.KeyManagement;

/// <summary><c>/api/v2/api_keys</c>: the organisation's API keys.</summary>
internal static class ApiKeysApi
{
    public const string DefaultCategory = "default";

    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v2/api_keys");
        group.MapGet("", ListAsync).RequirePermission(Permission.ApiKeysRead);
        group.MapPost("", CreateAsync).RequirePermission(Permission.ApiKeysWrite).Audited(AuditActions.ApiKeyCreate, "api_key");
        group.MapGet("/{api_key_id}", GetAsync).RequirePermission(Permission.ApiKeysRead);
        group.MapPatch("/{api_key_id}", UpdateAsync).RequirePermission(Permission.ApiKeysWrite).Audited(AuditActions.ApiKeyUpdate, "api_key", "api_key_id");
        group.MapDelete("/{api_key_id}", DeleteAsync).RequirePermission(Permission.ApiKeysDelete)
            .Audited(AuditActions.ApiKeyRevoke, "api_key", "api_key_id").InvalidatesAuthentication();
        return routes;
    }

    public static async Task<Results<JsonApiResult<ApiKeysResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, Caller caller, IIdentityStore identity, CancellationToken ct)
    {
        if (!KeyListQuery.ParseForApiKeys(http.Query).TryGetValue(out var query, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var (items, total) = query.Apply(await identity.ListApiKeysAsync(caller.OrgId, ct));
        var body = new ApiKeysResponse(
            [.. items.Select(k => KeyMapping.ApiKey(k))],
            new ApiKeysMeta { Page = new KeyListPage { TotalFilteredCount = total }, MaxAllowed = KeyManagementApi.MaxApiKeysPerOrg });
        return KeyManagementApi.Ok(body, AppJson.Context.ApiKeysResponse);
    }

    public static async Task<Results<JsonApiResult<ApiKeyResponse>, ApiProblemResult>> CreateAsync(
        HttpRequest http, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        var read = await KeyManagementRequests.ReadApiKeyCreateAsync(http, ct);
        if (!read.TryGetValue(out var request, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        // Recorded defaults: category "default", remote config reads enabled. The cap is counted
        // in the insert's transaction, so concurrent creates cannot overshoot it.
        var created = await writes.RunAsync(
            audit,
            tx => identity.TryCreateApiKeyAsync(
                tx, caller.OrgId, caller.PrincipalId, request.Name, request.Category ?? DefaultCategory, request.RemoteConfigReadEnabled ?? true, KeyManagementApi.MaxApiKeysPerOrg, ct),
            key => key is null ? null : AuditOutcome.Created(key.Record.Id),
            ct);
        if (created is null)
        {
            return new ApiProblemResult(ApiProblem.BadRequest($"Maximum number of API keys ({KeyManagementApi.MaxApiKeysPerOrg}) reached"));
        }

        return KeyManagementApi.Created(new ApiKeyResponse(KeyMapping.ApiKey(created.Record, created.Key)), AppJson.Context.ApiKeyResponse);
    }

    public static async Task<Results<JsonApiResult<ApiKeyResponse>, ApiProblemResult>> GetAsync(
        [FromRoute(Name = "api_key_id")] string apiKeyId, Caller caller, IIdentityStore identity, CancellationToken ct)
    {
        var key = RouteIds.TryParseUuid(apiKeyId, out var id) ? await identity.FindApiKeyAsync(caller.OrgId, id, ct) : null;
        return key is null
            ? new ApiProblemResult(KeyManagementApi.ApiKeyNotFound)
            : KeyManagementApi.Ok(new ApiKeyResponse(KeyMapping.ApiKey(key)), AppJson.Context.ApiKeyResponse);
    }

    public static async Task<Results<JsonApiResult<ApiKeyResponse>, ApiProblemResult>> UpdateAsync(
        [FromRoute(Name = "api_key_id")] string apiKeyId, HttpRequest http, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(apiKeyId, out var id))
        {
            return new ApiProblemResult(KeyManagementApi.ApiKeyNotFound);
        }

        var read = await KeyManagementRequests.ReadApiKeyUpdateAsync(http, id, ct);
        if (!read.TryGetValue(out var request, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var updated = await writes.RunAsync(
            audit,
            tx => identity.UpdateApiKeyAsync(tx, caller.OrgId, id, caller.PrincipalId, request.Name, request.Category, request.RemoteConfigReadEnabled, ct),
            key => key is null ? null : AuditOutcome.Http(StatusCodes.Status200OK),
            ct);
        return updated is null
            ? new ApiProblemResult(KeyManagementApi.ApiKeyNotFound)
            : KeyManagementApi.Ok(new ApiKeyResponse(KeyMapping.ApiKey(updated)), AppJson.Context.ApiKeyResponse);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        [FromRoute(Name = "api_key_id")] string apiKeyId, Caller caller, AuditedAction audit, IIdentityStore identity, AuditedWrites writes, CancellationToken ct)
    {
        return RouteIds.TryParseUuid(apiKeyId, out var id)
            && await writes.RunAsync(audit, tx => identity.DeleteApiKeyAsync(tx, caller.OrgId, id, ct), deleted => deleted ? AuditOutcome.Http(StatusCodes.Status204NoContent) : null, ct)
            ? TypedResults.NoContent()
            : new ApiProblemResult(KeyManagementApi.ApiKeyNotFound);
    }
}
