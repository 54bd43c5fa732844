using System.Reflection;
using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ActionConnections.Observability;

/// <summary>
/// OpenTelemetry for the server (ADR 0015). Nothing is registered unless asked for: metrics with
/// <c>ACTIONCONNECTIONS_METRICS=prometheus</c> (a scrape endpoint at <c>/metrics</c>) or an OTLP
/// endpoint; traces with an OTLP endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>; the exporter reads the other <c>OTEL_*</c> variables
/// itself). Off, the request path has no listener to feed.
/// </summary>
internal static class Telemetry
{
    public const string MetricsPath = "/metrics";

    public const string ServiceName = "actionconnections";

    /// <summary>
    /// The tags kept on outbound HTTP and DNS metrics. The rest (<c>server.address</c>,
    /// <c>server.port</c>, <c>dns.question.name</c>, <c>url.template</c>) name the host a request
    /// went to, which for the HTTP integration is a caller's choice: never a label.
    /// </summary>
    private static readonly string[] OutboundTags = ["http.request.method", "http.response.status_code", "error.type", "network.protocol.version", "url.scheme"];

    /// <summary>
    /// Call after every configuration source is in place (the decision which providers to
    /// register reads the configuration as it is now).
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<ObservabilityOptions, ObservabilityOptionsValidator>();
        builder.Services.AddActionConnectionsMetrics();
        builder.AddLogFormat();
        builder.AddGracefulShutdown();

        var config = builder.Configuration;
        var prometheus = config[$"{FeatureOptions.Section}:{nameof(ObservabilityOptions.Metrics)}"] == ObservabilityOptions.MetricsPrometheus;
        var otlp = IsSet(config, "OTEL_EXPORTER_OTLP_ENDPOINT");
        var otlpTraces = otlp || IsSet(config, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var otlpMetrics = otlp || IsSet(config, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        var setup = new TelemetrySetup(prometheus, otlpMetrics, otlpTraces);
        builder.Services.AddSingleton(setup);
        if (!setup.Metrics && !setup.Traces)
        {
            return builder;
        }

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            // OTEL_SERVICE_NAME, when set, names the service (the SDK reads it); else ours.
            if (!IsSet(config, "OTEL_SERVICE_NAME"))
            {
                resource.AddService(ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
            }
        });
        if (setup.Metrics)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(ActionConnectionsMetrics.MeterName, StorageMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddView(instrument => instrument.Meter.Name is "System.Net.Http" or "System.Net.NameResolution"
                        ? new MetricStreamConfiguration { TagKeys = OutboundTags }
                        : null);
                if (prometheus)
                {
                    // No cache: a scrape shows what happened up to that scrape.
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlpMetrics)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }

        if (setup.Traces)
        {
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o =>
                {
                    // Probes and scrapes every few seconds are noise, not requests.
                    o.Filter = static context => !IsProbe(context.Request.Path);
                    o.RecordException = false;
                })
                .AddHttpClientInstrumentation(o => o.RecordException = false)
                .AddNpgsql()
                .AddSource(StorageTracing.SourceName)
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>The instruments alone (no export): the admin CLI records through the same services.</summary>
    public static IServiceCollection AddActionConnectionsMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ActionConnectionsMetrics>();

        // Exporting nothing unless AddObservability decides otherwise (its registration comes later and wins).
        services.TryAddSingleton(new TelemetrySetup(Prometheus: false, OtlpMetrics: false, Traces: false));
        return services;
    }

    /// <summary>The scrape endpoint and the per-operation counts; outermost, so they see every answer's final status.</summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        var setup = app.Services.GetRequiredService<TelemetrySetup>();
        if (setup.Prometheus)
        {
            var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>();
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == MetricsPath
                && (options.Value.MetricsPort is not { } port || context.Connection.LocalPort == port));
        }

        app.UseMiddleware<ConnectionOperationMetrics>();
        return app;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase);

    private static bool IsSet(IConfiguration config, string key) => !string.IsNullOrWhiteSpace(config[key]);

    /// <summary><c>ACTIONCONNECTIONS_LOG_FORMAT=json</c>: the built-in JSON console formatter, with scopes (trace and span ids among them).</summary>
    private static void AddLogFormat(this IHostApplicationBuilder builder)
    {
        // Read when the logger is built, from the final configuration (tests and --settings come later).
        builder.Services.AddOptions<ConsoleLoggerOptions>().Configure<IConfiguration>((console, config) =>
        {
            if (config[$"{FeatureOptions.Section}:{nameof(ObservabilityOptions.LogFormat)}"] == ObservabilityOptions.LogFormatJson)
            {
                console.FormatterName = ConsoleFormatterNames.Json;
            }
        });
        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
    }
}

/// <summary>Which telemetry this process exports, decided once from the configuration at start.</summary>
internal sealed record TelemetrySetup(bool Prometheus, bool OtlpMetrics, bool Traces)
{
    public bool Metrics => Prometheus || OtlpMetrics;
}
