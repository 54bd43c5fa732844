using System.Text.Json;
using System.Text.Json.Nodes;
using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using ActionConnections.Secrets;
using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Resolve;

/// <summary>
/// <c>POST /api/v2/actionconnections/connections/{connection_id}/resolve</c> (an extension): the
/// connection as GET shows it, with its secret fields filled in, for a customer's own runner. The
/// one way a secret leaves the service, so it is guarded more than anything else (ADR 0016): off
/// unless the deployment enables it; a registered application key whose scopes name
/// <c>connections_resolve</c> explicitly; the permission <c>connections_resolve</c>; the relation
/// <c>resolver</c>; audited (never with values); <c>Cache-Control: no-store</c>.
/// </summary>
internal static class ResolveApi
{
    public const string ResolveScope = "connections_resolve";

    /// <summary>Its one setting, <c>ACTIONCONNECTIONS_RESOLVE_ENABLED</c>.</summary>
    public static IHostApplicationBuilder AddResolve(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<ResolveOptions, ResolveOptionsValidator>();
        return builder;
    }

    public static IEndpointRouteBuilder MapResolve(this IEndpointRouteBuilder routes)
    {
        var enabled = routes.ServiceProvider.GetRequiredService<IOptions<ResolveOptions>>().Value.ResolveEnabled;
        routes.MapPost("/api/v2/actionconnections/connections/{connection_id}/resolve", ResolveAsync)
            .AnswersNotStored()
            .RequireEnabled(enabled, ApiProblem.Forbidden(
                "Resolving connections is disabled on this deployment; an operator enables it with ACTIONCONNECTIONS_RESOLVE_ENABLED=true"))
            .RequireRegisteredAppKey()
            .RequirePermission(Permission.ConnectionsResolve)
            .AuditedByHandler(AuditActions.ConnectionResolve, "connection", "connection_id");
        return routes;
    }

    public static async Task<IResult> ResolveAsync(
        string connection_id,
        Caller caller,
        AuditedAction audit,
        AuditRecorder recorder,
        IIdentityStore identity,
        ConnectionAccess access,
        IConnectionStore connections,
        ISecretProtector protector,
        CancellationToken ct)
    {
        // Recorded whatever the answer (a resolve changes nothing in the store), never with values.
        var result = await RunAsync(connection_id, caller, identity, access, connections, protector, ct);
        await recorder.RecordOutcomeAsync(audit, AuditedEndpoints.StatusOf(result), null, ct);
        return result;
    }

    private static async Task<IResult> RunAsync(
        string connection_id,
        Caller caller,
        IIdentityStore identity,
        ConnectionAccess access,
        IConnectionStore connections,
        ISecretProtector protector,
        CancellationToken ct)
    {
        // An unscoped key carries all its owner's permissions; resolving needs a key made for it.
        var key = await identity.FindAppKeyAsync(caller.OrgId, caller.AppKeyId, ct);
        if (key?.Scopes is not { } scopes || !scopes.Contains(ResolveScope, StringComparer.Ordinal))
        {
            return new ApiProblemResult(ApiProblem.Forbidden(
                $"Forbidden: resolving needs an application key whose scopes name {ResolveScope} explicitly; an unscoped key may not resolve"));
        }

        if (!RouteIds.TryParseUuid(connection_id, out var id))
        {
            return new ApiProblemResult(new ApiProblem(StatusCodes.Status400BadRequest, new ApiError("error connectionId not a valid UUID", ApiError.GenericTitle)));
        }

        switch (await access.AuthorizeAsync(caller, id, Relation.Resolver, ct, resolving: true))
        {
            case AccessOutcome.NotFound:
                return new ApiProblemResult(ConnectionAccessEndpoints.NotFoundProblem());
            case AccessOutcome.Forbidden:
                return new ApiProblemResult(ConnectionAccessEndpoints.ForbiddenProblem(Relation.Resolver, resolving: true));
        }

        var record = await connections.FindAsync(caller.OrgId, id, ct);
        if (record is null)
        {
            return new ApiProblemResult(ConnectionAccessEndpoints.NotFoundProblem());
        }

        var shown = ConnectionsApi.ToData(record.ToPublic(), ConnectionAccess.CanResolve(caller, Relation.Resolver));
        var node = JsonSerializer.SerializeToNode(new ActionConnectionResponse(shown), AppJson.Context.ActionConnectionResponse)!;
        var credentials = node["data"]!["attributes"]!["integration"]!["credentials"]!.AsObject();
        foreach (var (name, ciphertext) in record.SealedSecrets)
        {
            Fill(credentials, name, protector.Unprotect(ciphertext, new SecretContext(record.OrgId, record.Id, name)));
        }

        return new ResolvedResult(node);
    }

    /// <summary>
    /// Puts a secret back where GET shows its <c>""</c>: a secret's name is its field
    /// (<c>api_token</c>) or, for named list items, <c>list/name</c> (<c>tokens/MyToken</c>, whose <c>value</c> it is).
    /// </summary>
    private static void Fill(JsonObject credentials, string name, string plaintext)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            credentials[name] = plaintext;
            return;
        }

        var (list, item) = (name[..slash], name[(slash + 1)..]);
        foreach (var entry in credentials[list]?.AsArray() ?? [])
        {
            if (entry is JsonObject obj && obj["name"]?.GetValue<string>() == item)
            {
                obj["value"] = plaintext;
            }
        }
    }

    /// <summary>The filled document, written whole with a length, in the Action Connection family's content type.</summary>
    private sealed class ResolvedResult(JsonNode body) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status200OK;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, AppJson.Context.JsonNode);
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = JsonApiResult.ContentType;
            response.ContentLength = bytes.Length;
            return response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
        }
    }
}
