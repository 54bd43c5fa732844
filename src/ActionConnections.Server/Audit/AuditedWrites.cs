using System.Data.Common;
using ActionConnections.Storage;

namespace ActionConnections.Audit;

/// <summary>
/// The one way an audited change is written: the change and its event in one write transaction
/// (ADR 0009, ADR 0011), so they commit together, in one durable commit, or not at all. The
/// event's outcome is decided from what the change returned, after it ran: a change that found
/// nothing to change writes no event (its caller answers a failure, which
/// <see cref="AuditedEndpoints.Audited"/> records).
/// </summary>
internal sealed class AuditedWrites(IDatabase db, TimeProvider time, Observability.ActionConnectionsMetrics metrics)
{
    /// <summary>
    /// Runs <paramref name="change"/> in a write transaction; when <paramref name="outcome"/> of
    /// its result is not null, <paramref name="action"/>'s event with that outcome is written in
    /// the same transaction.
    /// </summary>
    public Task<T> RunAsync<T>(
        AuditedAction action, Func<DbTransaction, Task<T>> change, Func<T, AuditOutcome?> outcome, CancellationToken cancellationToken) =>
        RunAsync(change, result => outcome(result) is { } decided ? [(action, decided)] : [], cancellationToken);

    /// <summary>A change that is several audited actions at once (an organisation with its first keys): every event with it.</summary>
    public async Task<T> RunAsync<T>(
        Func<DbTransaction, Task<T>> change, Func<T, IEnumerable<(AuditedAction Action, AuditOutcome Outcome)>> outcomes, CancellationToken cancellationToken)
    {
        List<AuditEvent>? written = null;
        var result = await db.WriteAsync(async tx =>
        {
            written = null;
            var result = await change(tx);
            foreach (var (action, outcome) in outcomes(result))
            {
                var e = action.Completed(time.GetUtcNow(), outcome.Status, outcome.CreatedId, outcome.Detail);
                await SqlAuditLog.InsertAsync(tx, e, cancellationToken);
                (written ??= []).Add(e);
            }

            return result;
        }, cancellationToken);

        // Counted once committed: an event that rolled back with its change never happened.
        foreach (var e in written ?? [])
        {
            metrics.RecordAuditEvent(e.Action, e.Outcome);
        }

        return result;
    }

    /// <summary>
    /// The same with an event prepared by the caller (an import, a test forcing a failed audit
    /// insert): written in the change's transaction when <paramref name="eventOf"/> gives one for
    /// the change's result.
    /// </summary>
    public static Task<T> WriteAsync<T>(IDatabase db, Func<DbTransaction, Task<T>> change, Func<T, AuditEvent?> eventOf, CancellationToken cancellationToken) =>
        db.WriteAsync(async tx =>
        {
            var result = await change(tx);
            if (eventOf(result) is { } e)
            {
                await SqlAuditLog.InsertAsync(tx, e, cancellationToken);
            }

            return result;
        }, cancellationToken);
}
