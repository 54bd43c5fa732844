using System.Diagnostics.Metrics;
using ActionConnections.Connections.Integrations;
using ActionConnections.Observability;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Connections;

/// <summary>
/// <c>actionconnections.connections.stored</c>, by integration type: an observable gauge whose
/// values are recounted in the background every <see cref="ObservabilityOptions.MetricsStoredRefreshSeconds"/>
/// (one grouped count over the whole table), never per scrape: with a million rows a scrape stays
/// as cheap as with none. Every catalogue type is reported, 0 when it has no connection, so a
/// series does not vanish when its last connection goes. Registered with the connections (it
/// counts their table), it runs only when metrics are exported (<see cref="TelemetrySetup"/>).
/// </summary>
internal sealed partial class StoredConnectionsGauge : BackgroundService
{
    private readonly IDatabase _db;
    private readonly TimeSpan _period;
    private readonly bool _enabled;
    private readonly ILogger<StoredConnectionsGauge> _logger;
    private volatile IReadOnlyList<Measurement<long>> _current = [];

    public StoredConnectionsGauge(IDatabase db, ActionConnectionsMetrics metrics, IOptions<ObservabilityOptions> options, TelemetrySetup setup, ILogger<StoredConnectionsGauge> logger)
    {
        _enabled = setup.Metrics;
        _db = db;
        _logger = logger;
        _period = TimeSpan.FromSeconds(options.Value.MetricsStoredRefreshSeconds);
        metrics.Meter.CreateObservableGauge("actionconnections.connections.stored", () => _current, "{connection}",
            "Connections stored, by integration type (all organisations; recounted periodically).");
    }

    /// <summary>Recounts now.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var counts = IntegrationCatalog.All.ToDictionary(v => v.Type, _ => 0L, StringComparer.Ordinal);
        await using (var connection = await _db.OpenAsync(cancellationToken))
        await using (var command = connection.Command("SELECT integration_type, COUNT(*) FROM connections GROUP BY integration_type;"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // A type outside the catalogue (never expected) counts as "other": no stored text becomes a label.
                var integration = reader.GetString(0) is var type && IntegrationCatalog.IsKnown(type) ? type : "other";
                counts[integration] = counts.GetValueOrDefault(integration) + reader.GetInt64(1);
            }
        }

        _current = [.. counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("integration", c.Key)))];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_period);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The last counts stay; the next period tries again.
                LogRefreshFailed(_logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count stored connections for the metrics ({ExceptionType})")]
    private static partial void LogRefreshFailed(ILogger logger, string exceptionType);
}
