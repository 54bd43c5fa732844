using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Observability;

/// <summary>
/// Telemetry, log format and shutdown settings (section <see cref="FeatureOptions.Section"/>; each
/// has an <c>ACTIONCONNECTIONS_*</c> variable, declared below). Traces and
/// OTLP export follow OpenTelemetry's own variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and the rest).
/// </summary>
internal sealed class ObservabilityOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_METRICS"] = nameof(Metrics),
        ["ACTIONCONNECTIONS_METRICS_PORT"] = nameof(MetricsPort),
        ["ACTIONCONNECTIONS_METRICS_STORED_REFRESH_SECONDS"] = nameof(MetricsStoredRefreshSeconds),
        ["ACTIONCONNECTIONS_LOG_FORMAT"] = nameof(LogFormat),
        ["ACTIONCONNECTIONS_SHUTDOWN_DELAY_SECONDS"] = nameof(ShutdownDelaySeconds),
        ["ACTIONCONNECTIONS_SHUTDOWN_DRAIN_SECONDS"] = nameof(ShutdownDrainSeconds),
    };

    public const string MetricsOff = "off";
    public const string MetricsPrometheus = "prometheus";
    public const string LogFormatText = "text";
    public const string LogFormatJson = "json";

    /// <summary><c>off</c> (default) or <c>prometheus</c>: a scrape endpoint at <c>/metrics</c>.</summary>
    public string Metrics { get; set; } = MetricsOff;

    /// <summary>
    /// When set, <c>/metrics</c> answers only on connections accepted on this local port (a second,
    /// internal listener), never on the public one.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>How often the stored-connections gauge is recounted (one grouped count), in seconds.</summary>
    public int MetricsStoredRefreshSeconds { get; set; } = 60;

    /// <summary><c>text</c> (default) or <c>json</c>: one JSON object per log line, with trace and span ids.</summary>
    public string LogFormat { get; set; } = LogFormatText;

    /// <summary>
    /// After SIGTERM, how long the server goes on accepting requests while <c>/health/ready</c>
    /// already answers 503, so load balancers take it out of rotation before it stops listening.
    /// </summary>
    public int ShutdownDelaySeconds { get; set; }

    /// <summary>Then, how long requests in flight are given to finish before their connections are closed.</summary>
    public int ShutdownDrainSeconds { get; set; } = 30;

    public bool PrometheusEnabled => Metrics == MetricsPrometheus;
}

internal sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions options)
    {
        var errors = new List<string>();
        if (options.Metrics is not (ObservabilityOptions.MetricsOff or ObservabilityOptions.MetricsPrometheus))
        {
            errors.Add($"ACTIONCONNECTIONS_METRICS '{options.Metrics}' is not supported; allowed values: 'off', 'prometheus'.");
        }

        if (options.MetricsPort is < 1 or > 65535)
        {
            errors.Add("ACTIONCONNECTIONS_METRICS_PORT must be a TCP port (1-65535).");
        }

        if (options.MetricsPort is not null && !options.PrometheusEnabled)
        {
            errors.Add("ACTIONCONNECTIONS_METRICS_PORT is only used with ACTIONCONNECTIONS_METRICS=prometheus.");
        }

        if (options.MetricsStoredRefreshSeconds is < 1 or > 86400)
        {
            errors.Add("ACTIONCONNECTIONS_METRICS_STORED_REFRESH_SECONDS must be between 1 and 86400.");
        }

        if (options.LogFormat is not (ObservabilityOptions.LogFormatText or ObservabilityOptions.LogFormatJson))
        {
            errors.Add($"ACTIONCONNECTIONS_LOG_FORMAT '{options.LogFormat}' is not supported; allowed values: 'text', 'json'.");
        }

        if (options.ShutdownDelaySeconds is < 0 or > 300)
        {
            errors.Add("ACTIONCONNECTIONS_SHUTDOWN_DELAY_SECONDS must be between 0 and 300.");
        }

        if (options.ShutdownDrainSeconds is < 1 or > 3600)
        {
            errors.Add("ACTIONCONNECTIONS_SHUTDOWN_DRAIN_SECONDS must be between 1 and 3600.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
