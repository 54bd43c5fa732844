using ActionConnections.Errors;

namespace ActionConnections.Audit;

/// <summary>Marks write endpoints as audited: one event per call, with the status answered.</summary>
internal static class AuditEndpoints
{
    /// <summary>
    /// Records <paramref name="action"/> after the handler ran. The target id is what the handler
    /// set with <see cref="SetAuditTarget"/> (creates) or else the route value
    /// <paramref name="routeIdName"/>.
    /// </summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action, string targetType, string? routeIdName = null) =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation);
            var http = invocation.HttpContext;
            var target = http.Features.Get<AuditTarget>()?.Id
                ?? (routeIdName is null ? null : http.GetRouteValue(routeIdName)?.ToString());
            var recorder = http.RequestServices.GetRequiredService<AuditRecorder>();
            await recorder.RecordHttpAsync(http, action, targetType, target, StatusOf(result));
            return result;
        });

    /// <summary>Names the resource a create made, for its audit event.</summary>
    public static void SetAuditTarget(this HttpContext context, string id) => context.Features.Set(new AuditTarget(id));

    private static int StatusOf(object? result)
    {
        if (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result switch
        {
            ApiProblemResult problem => problem.Problem.StatusCode,
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            _ => StatusCodes.Status200OK,
        };
    }

    private sealed record AuditTarget(string Id);
}
