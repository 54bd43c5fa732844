using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Connections.Integrations;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using ActionConnections.Settings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Connections;

/// <summary>
/// The four Action Connection operations (docs/reference/BEHAVIOR.md §1) and the list extension. Each answers
/// only with the status codes the spec documents for it: e.g. a non-UUID id is a 400 on GET and
/// PATCH but a 404 on DELETE, whose spec has no 400. Error details of the recorded cases are the
/// real service's, word for word.
/// </summary>
internal static class ConnectionsApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    private const string NotFoundSuffix = "rpc error: code = NotFound desc = connection not found";

    public static IHostApplicationBuilder AddConnections(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<ConnectionsOptions, ConnectionsOptionsValidator>();
        builder.Services.AddSingleton<IConnectionStore, SqlConnectionStore>();
        builder.Services.AddSingleton<ConnectionService>();
        builder.Services.AddHostedService<StoredConnectionsGauge>();
        return builder;
    }

    /// <summary>Re-sealing every connection under the active master key (the <c>secrets rotate</c> verb).</summary>
    public static IHostApplicationBuilder AddSecretRotation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SecretRotation>();
        return builder;
    }

    public static IEndpointRouteBuilder MapConnections(this IEndpointRouteBuilder routes)
    {
        // Connections are used only through registered application keys, then per permission.
        var group = routes.MapGroup("/api/v2/actions/connections").RequireRegisteredAppKey();
        group.MapPost("", CreateAsync).RequirePermission(Permission.ConnectionWrite).Audited(AuditActions.ConnectionCreate, "connection");
        group.MapGet("", ListAsync).RequirePermission(Permission.ConnectionsRead);
        group.MapGet("/{connection_id}", GetAsync).RequirePermission(Permission.ConnectionsRead);
        group.MapPatch("/{connection_id}", UpdateAsync).RequirePermission(Permission.ConnectionWrite).Audited(AuditActions.ConnectionUpdate, "connection", "connection_id");
        group.MapDelete("/{connection_id}", DeleteAsync).RequirePermission(Permission.ConnectionWrite).Audited(AuditActions.ConnectionDelete, "connection", "connection_id");
        return routes;
    }

    public static async Task<Results<JsonApiResult<ActionConnectionResponse>, ApiProblemResult>> CreateAsync(
        HttpRequest http, Caller caller, AuditedAction audit, ConnectionService connections, CancellationToken ct)
    {
        if (!(await JsonBody.ReadAsync(http, BodyWording.Fields, ConnectionRequests.ReadCreate, ct)).TryGetValue(out var request, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var created = await connections.CreateAsync(caller, request, audit, ct);
        return JsonApiResult.Created(new ActionConnectionResponse(ToCreatedData(created)), AppJson.Context.ActionConnectionResponse);
    }

    public static async Task<Results<JsonApiResult<ActionConnectionResponse>, ApiProblemResult>> GetAsync(
        string connection_id, Caller caller, IConnectionStore store, ConnectionAccess access, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(connection_id, out var id))
        {
            return new ApiProblemResult(InvalidConnectionId);
        }

        // Viewer at least; a connection the caller may not view is answered exactly as a missing one.
        // One query: the row alone when the relation is remembered, the row with its access facts when not.
        var (relation, connection) = await access.ReadAsync(
            caller,
            id,
            token => store.FindPublicAsync(caller.OrgId, id, token),
            token => store.FindPublicWithFactsAsync(caller.OrgId, id, caller.PrincipalId, token),
            ct);
        return connection is null
            ? new ApiProblemResult(NotFound("error getting connection"))
            : JsonApiResult.Ok(new ActionConnectionResponse(ToData(connection, ConnectionAccess.CanResolve(caller, relation))), AppJson.Context.ActionConnectionResponse);
    }

    public static async Task<Results<JsonApiResult<ActionConnectionResponse>, ApiProblemResult>> UpdateAsync(
        string connection_id, HttpRequest http, Caller caller, AuditedAction audit, ConnectionService connections, ConnectionAccess access, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(connection_id, out var id))
        {
            return new ApiProblemResult(InvalidConnectionId);
        }

        if (!(await JsonBody.ReadAsync(http, BodyWording.Fields, ConnectionRequests.ReadUpdate, ct)).TryGetValue(out var request, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        // Checked after the body, so an invisible connection answers exactly as a missing one would.
        switch (await access.AuthorizeAsync(caller, id, Relation.Editor, ct))
        {
            case AccessOutcome.NotFound:
                return new ApiProblemResult(NotFound("error creating connection"));
            case AccessOutcome.Forbidden:
                return new ApiProblemResult(ConnectionAccessEndpoints.ForbiddenProblem(Relation.Editor, resolving: false));
        }

        if (!(await connections.UpdateAsync(caller, id, request, audit, ct)).TryGetValue(out var updated, out var problem))
        {
            return new ApiProblemResult(problem);
        }

        // The real service says "creating" on update too (docs/reference/BEHAVIOR.md §7).
        return updated is null
            ? new ApiProblemResult(NotFound("error creating connection"))
            : JsonApiResult.Ok(
                new ActionConnectionResponse(ToData(updated.ToPublic(), ConnectionAccess.CanResolve(caller, Relation.Editor))), AppJson.Context.ActionConnectionResponse);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        string connection_id, Caller caller, AuditedAction audit, ConnectionService connections, ConnectionAccess access, CancellationToken ct)
    {
        // No 400 is documented for DELETE: an id that cannot exist is simply not found.
        if (!RouteIds.TryParseUuid(connection_id, out var id))
        {
            return new ApiProblemResult(NotFound("error deleting connection"));
        }

        switch (await access.AuthorizeAsync(caller, id, Relation.Editor, ct))
        {
            case AccessOutcome.NotFound:
                return new ApiProblemResult(NotFound("error deleting connection"));
            case AccessOutcome.Forbidden:
                return new ApiProblemResult(ConnectionAccessEndpoints.ForbiddenProblem(Relation.Editor, resolving: false));
        }

        // The connection's policy goes with it (foreign key ON DELETE CASCADE).
        if (!await connections.DeleteAsync(caller, id, audit, ct))
        {
            return new ApiProblemResult(NotFound("error deleting connection"));
        }

        access.Invalidate();
        return TypedResults.NoContent();
    }

    /// <summary>The list extension (not in Datadog's public API; see the README).</summary>
    public static async Task<Results<JsonApiResult<ListActionConnectionsResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, Caller caller, IConnectionStore store, ConnectionAccess access, CancellationToken ct)
    {
        var query = http.Query;
        if (!PageQuery.Parse(query, DefaultPageSize, MaxPageSize).TryGetValue(out var page, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        string? nameFilter = null;
        if (query.TryGetValue("filter[name]", out var names))
        {
            if (names.Count != 1 || names[0]!.Length > ConnectionRequests.MaxNameLength)
            {
                return new ApiProblemResult(ApiProblem.InvalidQuery("filter[name]", $"expected one string of at most {ConnectionRequests.MaxNameLength} characters"));
            }

            if (names[0]!.Contains('\0', StringComparison.Ordinal))
            {
                // No name holds U+0000 (refused on create), and PostgreSQL cannot even compare with it.
                return new ApiProblemResult(ApiProblem.InvalidQuery("filter[name]", "must not contain the character U+0000"));
            }

            nameFilter = names[0];
        }

        string? typeFilter = null;
        if (query.TryGetValue("filter[integration]", out var types))
        {
            if (types.Count != 1 || !IntegrationCatalog.IsKnown(types[0]!))
            {
                return new ApiProblemResult(ApiProblem.InvalidQuery("filter[integration]", $"expected one of {string.Join(", ", IntegrationCatalog.All.Select(v => v.Type))}"));
            }

            typeFilter = types[0];
        }

        var roleId = await access.RoleIdOfAsync(caller, ct);
        var viewer = new ConnectionViewer(caller.PrincipalId, roleId);
        var (result, totalFiltered) = await store.ListAsync(caller.OrgId, new ConnectionFilter(nameFilter, typeFilter, viewer), page.Size, page.Number, ct);
        var relations = await access.RelationsOfAsync(caller, roleId, [.. result.Items.Select(c => (c.Id, c.CreatedBy))], ct);
        var body = new ListActionConnectionsResponse(
            [.. result.Items.Select(c => ToData(c, ConnectionAccess.CanResolve(caller, relations[c.Id])))],
            new ListTotals(result.Total, totalFiltered));
        return JsonApiResult.Ok(body, AppJson.Context.ListActionConnectionsResponse);
    }

    /// <summary>Recorded: <c>{"errors":[{"title":"Generic Error","detail":"error connectionId not a valid UUID"}]}</c>.</summary>
    private static ApiProblem InvalidConnectionId =>
        new(StatusCodes.Status400BadRequest, new ApiError("error connectionId not a valid UUID", ApiError.GenericTitle));

    private static ApiProblem NotFound(string operation) =>
        new(StatusCodes.Status404NotFound, new ApiError($"{operation}: {NotFoundSuffix}", ApiError.GenericTitle));

    /// <summary>The create response of the real service: no timestamps, no relationships (docs/reference/BEHAVIOR.md §4.2).</summary>
    private static ActionConnectionData ToCreatedData(ConnectionRecord connection) => new()
    {
        Id = connection.Id.ToString("D"),
        Attributes = new ActionConnectionAttributes
        {
            ActingUserCanResolve = false,
            Integration = connection.Integration,
            Name = connection.Name,
            Tags = connection.Tags is { Count: > 0 } ? connection.Tags : null,
        },
    };

    /// <summary>
    /// The body of a GET, list item or update response (bench/Seeder times it too).
    /// <paramref name="actingUserCanResolve"/>: <see cref="ConnectionAccess.CanResolve"/> for the caller.
    /// </summary>
    internal static ActionConnectionData ToData(PublicConnection connection, bool actingUserCanResolve) => new()
    {
        Id = connection.Id.ToString("D"),
        Attributes = new ActionConnectionAttributes
        {
            ActingUserCanResolve = actingUserCanResolve,
            CreatedAt = GoTime.Format(connection.CreatedAt),
            Integration = connection.Integration,
            LastUpdated = GoTime.Format(connection.UpdatedAt),
            Name = connection.Name,
            Tags = connection.Tags is { Count: > 0 } ? connection.Tags : null,
        },
        Relationships = new ActionConnectionRelationships(new JsonApiData<CreatedByData>(new CreatedByData(connection.CreatedBy.ToString("D")))),
    };
}
