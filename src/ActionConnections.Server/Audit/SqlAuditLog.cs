using System.Data.Common;
using ActionConnections.Storage;

namespace ActionConnections.Audit;

internal sealed class SqlAuditLog(IDatabase db) : IAuditLog
{
    private const string Columns = "id, org_id, at, action, outcome, status, principal_id, api_key_id, app_key_id, target_type, target_id, request_id, client_address, source, occurrences, detail";

    public Task AppendAsync(AuditEvent e, CancellationToken cancellationToken) =>
        db.WriteAsync(async tx =>
        {
            await InsertAsync(tx, e, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Writes <paramref name="e"/> in an open write transaction (<see cref="AuditedWrites"/>), so a
    /// change and its event commit together: one durable commit, and never one without the other.
    /// </summary>
    public static async Task InsertAsync(DbTransaction tx, AuditEvent e, CancellationToken cancellationToken)
    {
        await using var command = tx.Command($"""
            INSERT INTO audit_events ({Columns})
            VALUES (@id, @org, @at, @action, @outcome, @status, @principal, @apikey, @appkey, @ttype, @tid, @rid, @client, @source, @occurrences, @detail);
            """)
            .With("@id", e.Id).With("@org", e.OrgId).With("@at", e.At).With("@action", e.Action).With("@outcome", e.Outcome)
            .With("@status", e.Status is { } s ? (long?)s : null).With("@principal", e.PrincipalId).With("@apikey", e.ApiKeyId).With("@appkey", e.AppKeyId)
            .With("@ttype", e.TargetType).With("@tid", e.TargetId).With("@rid", e.RequestId).With("@client", e.ClientAddress).With("@source", e.Source).With("@occurrences", e.Occurrences).With("@detail", e.Detail);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(IReadOnlyList<AuditEvent> Events, long TotalFiltered)> ListAsync(Guid? orgId, AuditQuery query, CancellationToken cancellationToken)
    {
        const string Where = "((@org IS NULL AND org_id IS NULL) OR org_id = @org) AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to) AND (@action IS NULL OR action = @action) AND (@target IS NULL OR target_id = @target)";
        await using var connection = await db.OpenAsync(cancellationToken);
        long total;
        await using (var count = Bind(connection.Command($"SELECT COUNT(*) FROM audit_events WHERE {Where};"), orgId, query))
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var events = new List<AuditEvent>();
        await using var command = Bind(connection.Command($"SELECT {Columns} FROM audit_events WHERE {Where} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset;"), orgId, query)
            .With("@limit", (long)query.PageSize).With("@offset", query.PageNumber * query.PageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return (events, total);
    }

    private static DbCommand Bind(DbCommand command, Guid? orgId, AuditQuery query) => command
        .With("@org", orgId).With("@from", query.From).With("@to", query.To).With("@action", query.Action).With("@target", query.TargetId);

    private static AuditEvent Read(DbDataReader r)
    {
        var status = r.GetOrdinal("status");
        return new AuditEvent
        {
            Id = r.GetGuid("id"),
            OrgId = r.GetNullableGuid("org_id"),
            At = r.Time("at"),
            Action = r.Text("action"),
            Outcome = r.Text("outcome"),
            Status = r.IsDBNull(status) ? null : (int)r.GetInt64(status),
            PrincipalId = r.GetNullableGuid("principal_id"),
            ApiKeyId = r.GetNullableGuid("api_key_id"),
            AppKeyId = r.GetNullableGuid("app_key_id"),
            TargetType = r.NullableText("target_type"),
            TargetId = r.NullableText("target_id"),
            RequestId = r.NullableText("request_id"),
            ClientAddress = r.NullableText("client_address"),
            Source = r.Text("source"),
            Occurrences = r.IsDBNull(r.GetOrdinal("occurrences")) ? null : r.Int64("occurrences"),
            Detail = r.NullableText("detail"),
        };
    }
}
