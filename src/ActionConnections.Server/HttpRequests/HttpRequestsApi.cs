using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using ActionConnections.Settings;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ActionConnections.HttpRequests;

/// <summary>
/// The http_requests extension (issue 13): <c>POST /api/v2/actionconnections/connections/{connection_id}/http_requests</c>
/// sends an HTTP request through a connection with its credential added, without the caller
/// ever reading it. Needs <c>connections_resolve</c> and a registered application key; counted
/// in its own rate-limit group; one audit event per call.
/// </summary>
internal static class HttpRequestsApi
{
    public const string Path = "/api/v2/actionconnections/connections/{connection_id}/http_requests";

    public static IHostApplicationBuilder AddHttpRequests(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<HttpRequestsOptions, HttpRequestsOptionsValidator>();
        builder.Services.AddSingleton(services => new Destinations(ApiBases.Parse(services.GetRequiredService<IOptions<HttpRequestsOptions>>().Value.IntegrationApiBases)));
        builder.Services.AddSingleton<HttpRequestExecutor>();
        return builder;
    }

    public static IEndpointRouteBuilder MapHttpRequests(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, ExecuteAsync)
            .RequireRegisteredAppKey()
            .RequirePermission(Permission.ConnectionsResolve)
            .AuditedByHandler(AuditActions.ConnectionHttpRequest, "connection", "connection_id");
        return routes;
    }

    public static async Task<Results<JsonApiResult<HttpResponseEnvelope>, ApiProblemResult>> ExecuteAsync(
        string connection_id, HttpRequest http, Caller caller, AuditedAction audit, HttpRequestExecutor executor, ConnectionAccess access, AuditRecorder recorder,
        IOptions<HttpLimitsOptions> options, CancellationToken ct)
    {
        var (result, detail) = await RunAsync(connection_id, http, caller, executor, access, options.Value, ct);
        await recorder.RecordOutcomeAsync(audit, AuditedEndpoints.StatusOf(result.Result), detail, ct);
        return result;
    }

    private static async Task<(Results<JsonApiResult<HttpResponseEnvelope>, ApiProblemResult> Result, string? Detail)> RunAsync(
        string connectionId, HttpRequest http, Caller caller, HttpRequestExecutor executor, ConnectionAccess access, HttpLimitsOptions options, CancellationToken ct)
    {
        if (!RouteIds.TryParseUuid(connectionId, out var id))
        {
            return (new ApiProblemResult(new ApiProblem(StatusCodes.Status400BadRequest, new ApiError("error connectionId not a valid UUID", ApiError.GenericTitle))), null);
        }

        var read = await JsonBody.ReadAsync(http, BodyWording.Fields, (body, errors) => HttpRequestReader.Read(body, options.MaxRequestBodyBytes, errors), ct);
        if (!read.TryGetValue(out var input, out var invalid))
        {
            return (new ApiProblemResult(invalid), null);
        }

        // A connection the caller may not view answers exactly as a missing one (issue 15).
        var allowed = await access.AuthorizeAsync(caller, id, Relation.Resolver, ct, resolving: true);
        if (allowed == AccessOutcome.Forbidden)
        {
            return (new ApiProblemResult(ConnectionAccessEndpoints.ForbiddenProblem(Relation.Resolver, resolving: true)), null);
        }

        var outcome = allowed == AccessOutcome.NotFound ? null : await executor.ExecuteAsync(caller, id, input, ct);
        return outcome switch
        {
            null => (new ApiProblemResult(new ApiProblem(StatusCodes.Status404NotFound, new ApiError("error using connection: rpc error: code = NotFound desc = connection not found", ApiError.GenericTitle))), null),
            { Response: { } response } => (JsonApiResult.Ok(response, AppJson.Context.HttpResponseEnvelope), outcome.AuditDetail),
            _ => (new ApiProblemResult(outcome.Problem!), outcome.AuditDetail),
        };
    }
}
