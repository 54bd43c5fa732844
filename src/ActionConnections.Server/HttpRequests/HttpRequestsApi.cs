using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using ActionConnections.Overload;
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
            .AuditedByHandler(AuditActions.ConnectionHttpRequest, "connection", "connection_id")
            .WaitsOnUpstream();
        return routes;
    }

    public static Task<Results<JsonApiResult<HttpResponseEnvelope>, ApiProblemResult>> ExecuteAsync(
        string connection_id, HttpRequest http, Caller caller, AuditedAction audit, HttpRequestExecutor executor, ConnectionAccess access, AuditRecorder recorder,
        IOptions<HttpLimitsOptions> options, CancellationToken ct) =>
        ConnectionUseEndpoint.RunAsync<HttpRequestInput, HttpResponseEnvelope>(
            connection_id,
            caller,
            audit,
            access,
            recorder,
            read: ct => JsonBody.ReadAsync(http, BodyWording.Fields, (body, errors) => HttpRequestReader.Read(body, options.Value.MaxRequestBodyBytes, errors), ct),
            use: async (id, input, ct) => await executor.ExecuteAsync(caller, id, input, ct) switch
            {
                null => null,
                { Response: { } response } outcome => new(JsonApiResult.Ok(response, AppJson.Context.HttpResponseEnvelope), outcome.AuditDetail),
                var outcome => new(new ApiProblemResult(outcome.Problem!), outcome.AuditDetail),
            },
            notFoundDetail: "error using connection: rpc error: code = NotFound desc = connection not found",
            ct);
}
