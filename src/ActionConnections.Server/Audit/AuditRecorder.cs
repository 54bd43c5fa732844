using ActionConnections.Identity;
using ActionConnections.Observability;

namespace ActionConnections.Audit;

/// <summary>
/// Writes audit events. An event that cannot be written is logged (without any request data)
/// and the request it describes still completes: the operation has already committed by then.
/// </summary>
internal sealed partial class AuditRecorder(IAuditLog log, TimeProvider time, ActionConnectionsMetrics metrics, ILogger<AuditRecorder> logger)
{
    public const int MaxTargetIdLength = 64;

    public Task RecordHttpAsync(HttpContext context, string action, string? targetType, string? targetId, int status, Guid? orgId = null, string? detail = null) =>
        RecordAsync(DescribeHttp(context, action, targetType, targetId, status, orgId) with { Detail = detail }, context.RequestAborted);

    /// <summary>The event of a request, not yet written.</summary>
    public AuditEvent DescribeHttp(HttpContext context, string action, string? targetType, string? targetId, int status, Guid? orgId = null)
    {
        var caller = context.Features.Get<Caller>();
        return new AuditEvent
        {
            Id = Guid.NewGuid(),
            At = time.GetUtcNow(),
            OrgId = caller?.OrgId ?? orgId,
            Action = action,
            Outcome = status is >= 200 and < 300 ? "success" : "failure",
            Status = status,
            PrincipalId = caller?.PrincipalId,
            ApiKeyId = caller?.ApiKeyId,
            AppKeyId = caller?.AppKeyId,
            TargetType = targetType,
            TargetId = targetId is { Length: > MaxTargetIdLength } ? targetId[..MaxTargetIdLength] : targetId,
            RequestId = context.TraceIdentifier,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Source = "api",
        };
    }

    /// <summary>For actions outside HTTP (the admin CLI, key rotation).</summary>
    public Task RecordCliAsync(Guid? orgId, string action, string? targetType, string? targetId, CancellationToken cancellationToken) =>
        RecordAsync(new AuditEvent
        {
            Id = Guid.NewGuid(),
            At = time.GetUtcNow(),
            OrgId = orgId,
            Action = action,
            Outcome = "success",
            TargetType = targetType,
            TargetId = targetId,
            Source = "cli",
        }, cancellationToken);

    /// <summary>Writes an event (e.g. one from <see cref="DescribeHttp"/> with details added); a failure is logged, not thrown.</summary>
    public async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            // Not cancelled with the request: a client that hangs up must not erase the trail of what it did.
            await log.AppendAsync(auditEvent, CancellationToken.None);
            metrics.RecordAuditEvent(auditEvent.Action, auditEvent.Outcome);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAuditWriteFailed(logger, auditEvent.Action, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit event of {Action}: {ExceptionType}")]
    private static partial void LogAuditWriteFailed(ILogger logger, string action, string exceptionType);
}
