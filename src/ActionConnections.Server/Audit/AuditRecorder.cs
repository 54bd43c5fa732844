using ActionConnections.Identity;
using ActionConnections.Observability;

namespace ActionConnections.Audit;

/// <summary>
/// Writes the audit events of actions that changed nothing in the store (refused or failed
/// requests, failed authentications) or whose change is outside it (master key files). Changes
/// in the store write theirs with the change (<see cref="AuditedWrites"/>). An event that cannot
/// be written here is logged (without any request data) and the request still completes.
/// </summary>
internal sealed partial class AuditRecorder(IAuditLog log, TimeProvider time, ActionConnectionsMetrics metrics, ILogger<AuditRecorder> logger)
{
    /// <summary>A request to an audited endpoint that changed nothing, with the status it answered.</summary>
    public Task RecordRefusalAsync(HttpContext context, Caller? caller, AuditedOperation operation, int status) =>
        RecordAsync(AuditedAction.Of(context, operation, caller).Completed(time.GetUtcNow(), status), context.RequestAborted);

    /// <summary>The one event of an endpoint declared <see cref="AuditedEndpoints.AuditedByHandler"/>, with the status it answers.</summary>
    public Task RecordOutcomeAsync(AuditedAction action, int status, string? detail, CancellationToken cancellationToken) =>
        RecordAsync(action.Completed(time.GetUtcNow(), status, detail: detail), cancellationToken);

    /// <summary>For CLI actions outside the store (master key files).</summary>
    public Task RecordCliAsync(Guid? orgId, string action, string? targetType, string? targetId, CancellationToken cancellationToken) =>
        RecordAsync(AuditedAction.Cli(orgId, action, targetType).Completed(time.GetUtcNow(), null, targetId), cancellationToken);

    /// <summary>Writes an event; a failure is logged, not thrown.</summary>
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
