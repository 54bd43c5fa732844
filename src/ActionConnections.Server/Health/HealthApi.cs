using System.Text.Json;
using ActionConnections.Observability;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActionConnections.Health;

/// <summary>
/// Probes for load balancers and orchestrators, outside <c>/api/v2</c> so they need no keys:
/// <c>/health/live</c> answers 200 while the process serves HTTP; <c>/health/ready</c> answers
/// 200 when the database answers within <see cref="DatabaseHealthCheck.Timeout"/>, else 503, and
/// 503 from the moment the server starts draining (<see cref="GracefulShutdown"/>).
/// Bodies are small JSON and name no internals.
/// </summary>
internal static class HealthApi
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    private const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);

        // The framework logs every unhealthy result as an error, once per probe for as long as an
        // outage lasts; DatabaseHealthCheck logs one warning with the reason instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        // Draining (SIGTERM received): not ready, whatever the database says, so a load balancer
        // stops sending here while requests in flight finish. Liveness stays 200: do not restart.
        var shutdown = app.Services.GetRequiredService<ShutdownState>();
        app.Use(async (context, next) =>
        {
            if (shutdown.Draining && context.Request.Path.Equals(ReadyPath, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"status":"unhealthy","draining":true}""", context.RequestAborted);
                return;
            }

            await next(context);
        });
        // Probes answer however busy the server is (ADR 0023): a busy server is not a dead one.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = static _ => false, ResponseWriter = WriteAsync }).DisableRateLimiting();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = static check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).DisableRateLimiting();
        return app;
    }

    /// <summary><c>{"status":"healthy","checks":{"database":"healthy"}}</c>; <c>checks</c> only when there are any.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        if (report.Entries.Count > 0)
        {
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteString(name, Name(entry.Status));
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
