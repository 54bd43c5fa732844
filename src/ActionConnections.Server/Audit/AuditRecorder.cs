using ActionConnections.Identity;

namespace ActionConnections.Audit;

/// <summary>
/// Writes the audit events of actions that changed nothing in the store (refused or failed
/// requests, failed authentications) or whose change is outside it (master key files). Changes
/// in the store write theirs with the change (<see cref="AuditedWrites"/>). An event that cannot
/// be written here is logged (without any request data) and the request still completes.
/// </summary>
internal sealed partial class AuditRecorder(IAuditLog log, TimeProvider time, ILogger<AuditRecorder> logger)
{
    /// <summary>A request to an audited endpoint that changed nothing, with the status it answered.</summary>
    public Task RecordRefusalAsync(HttpContext context, Caller? caller, AuditedOperation operation, int status) =>
        RecordAsync(AuditedAction.Of(context, operation, caller).Completed(time.GetUtcNow(), status), context.RequestAborted);

    /// <summary>A failed authentication, under the organisation its API key names when that key alone is valid.</summary>
    public Task RecordAuthenticationFailureAsync(HttpContext context, Guid? orgId) =>
        RecordAsync(
            AuditedAction.Http(context, AuditActions.AuthenticationFailure, null, null, orgId).Completed(time.GetUtcNow(), StatusCodes.Status403Forbidden),
            context.RequestAborted);

    /// <summary>For CLI actions outside the store (master key files).</summary>
    public Task RecordCliAsync(Guid? orgId, string action, string? targetType, string? targetId, CancellationToken cancellationToken) =>
        RecordAsync(AuditedAction.Cli(orgId, action, targetType).Completed(time.GetUtcNow(), null, targetId), cancellationToken);

    private async Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            // Not cancelled with the request: a client that hangs up must not erase the trail of what it did.
            await log.AppendAsync(auditEvent, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAuditWriteFailed(logger, auditEvent.Action, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit event of {Action}: {ExceptionType}")]
    private static partial void LogAuditWriteFailed(ILogger logger, string action, string exceptionType);
}
