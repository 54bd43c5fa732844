using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections.Validation;
using ActionConnections.Errors;
using ActionConnections.Hosting;
using ActionConnections.Http;
using ActionConnections.Json;
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
        builder.Services.AddSingleton<Destinations>();
        builder.Services.AddSingleton<HttpRequestExecutor>();
        return builder;
    }

    public static IEndpointRouteBuilder MapHttpRequests(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, ExecuteAsync);
        return routes;
    }

    public static async Task<Results<JsonApiResult<HttpResponseEnvelope>, ApiProblemResult>> ExecuteAsync(
        string connection_id, HttpContext context, HttpRequestExecutor executor, ConnectionAccess access, AuditRecorder audit, IOptions<ServerOptions> options, CancellationToken ct)
    {
        var (result, detail) = await RunAsync(connection_id, context, executor, access, options.Value, ct);
        var status = result.Result is ApiProblemResult problem ? problem.Problem.StatusCode : StatusCodes.Status200OK;
        await audit.RecordAsync(audit.DescribeHttp(context, AuditActions.ConnectionHttpRequest, "connection", connection_id, status) with { Detail = detail }, ct);
        return result;
    }

    private static async Task<(Results<JsonApiResult<HttpResponseEnvelope>, ApiProblemResult> Result, string? Detail)> RunAsync(
        string connectionId, HttpContext context, HttpRequestExecutor executor, ConnectionAccess access, ServerOptions options, CancellationToken ct)
    {
        var caller = context.Caller();
        if ((caller.RequireRegisteredKey() ?? caller.RequireAny(Permission.ConnectionsResolve)) is { } denied)
        {
            return (new ApiProblemResult(denied), null);
        }

        if (!RouteIds.TryParseUuid(connectionId, out var id))
        {
            return (new ApiProblemResult(new ApiProblem(StatusCodes.Status400BadRequest, new ApiError("error connectionId not a valid UUID", ApiError.GenericTitle))), null);
        }

        var (document, problem) = await JsonBody.ReadAsync(context.Request, ct);
        if (problem is not null)
        {
            return (new ApiProblemResult(problem), null);
        }

        using (document)
        {
            var errors = new ValidationErrors();
            var input = HttpRequestReader.Read(document!.RootElement, options.MaxRequestBodyBytes, errors);
            if (input is null)
            {
                return (new ApiProblemResult(errors.ToProblem()), null);
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
}
