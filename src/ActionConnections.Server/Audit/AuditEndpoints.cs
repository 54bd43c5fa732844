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
            var http = invocation.HttpContext;
            var pending = new PendingAudit(action, targetType);
            http.Features.Set(pending);
            var result = await next(invocation);
            if (pending.Committed)
            {
                // Already written, in the transaction of the change it records.
                http.RequestServices.GetRequiredService<Observability.ActionConnectionsMetrics>().RecordAuditEvent(action, "success");
                return result;
            }

            var target = http.Features.Get<AuditTarget>()?.Id
                ?? (routeIdName is null ? null : http.GetRouteValue(routeIdName)?.ToString());
            var recorder = http.RequestServices.GetRequiredService<AuditRecorder>();
            await recorder.RecordHttpAsync(http, action, targetType, target, StatusOf(result), detail: http.Features.Get<AuditDetail>()?.Text);
            return result;
        });

    /// <summary>
    /// The audit event of this request's successful change, for the store to write in the same
    /// transaction (<see cref="SqlAuditLog.InsertAsync"/>); null outside an audited endpoint. Call
    /// <see cref="AuditCommitted"/> once the change has committed, so the filter does not write it again.
    /// </summary>
    public static AuditEvent? AuditEventOfChange(this HttpContext context, int status, string targetId) =>
        context.Features.Get<PendingAudit>() is { } pending
            ? context.RequestServices.GetRequiredService<AuditRecorder>().DescribeHttp(context, pending.Action, pending.TargetType, targetId, status)
            : null;

    /// <summary>The change and its event committed together (see <see cref="AuditEventOfChange"/>).</summary>
    public static void AuditCommitted(this HttpContext context)
    {
        if (context.Features.Get<PendingAudit>() is { } pending)
        {
            pending.Committed = true;
        }
    }

    /// <summary>What else this request's event records (see <see cref="AuditEvent.Detail"/>).</summary>
    public static void SetAuditDetail(this HttpContext context, string detail) => context.Features.Set(new AuditDetail(detail));

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

    private sealed record AuditDetail(string Text);

    private sealed class PendingAudit(string action, string targetType)
    {
        public string Action { get; } = action;

        public string TargetType { get; } = targetType;

        public bool Committed { get; set; }
    }
}
