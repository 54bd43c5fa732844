namespace ActionConnections.Audit;

/// <summary>Append-only: events are written and read, never changed or removed through the service.</summary>
internal interface IAuditLog
{
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>An organisation's events, newest first.</summary>
    Task<(IReadOnlyList<AuditEvent> Events, long TotalFiltered)> ListAsync(Guid orgId, AuditQuery query, CancellationToken cancellationToken);
}
