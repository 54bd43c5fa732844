using System.Data.Common;
using ActionConnections.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActionConnections.Health;

/// <summary>
/// Ready when a connection can be had and answers <c>SELECT 1</c> within <see cref="Timeout"/>.
/// The query matters: a pooled connection to a server that has restarted opens without a word
/// and fails only when used (and is then dropped from the pool).
/// </summary>
internal sealed partial class DatabaseHealthCheck(IDatabase db, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await PingAsync(timeout.Token).WaitAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, "timeout");
            return HealthCheckResult.Unhealthy("database did not answer in time");
        }
        catch (Exception e) when (db.IsTransient(e) || e is DbException)
        {
            // The exception stays out of the result: the health service logs results, and a
            // provider's message is no business of a probe.
            LogUnreachable(logger, (e.InnerException ?? e).GetType().Name);
            return HealthCheckResult.Unhealthy("database unreachable");
        }
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT 1;");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness: the database is unreachable ({Reason})")]
    private static partial void LogUnreachable(ILogger logger, string reason);
}
