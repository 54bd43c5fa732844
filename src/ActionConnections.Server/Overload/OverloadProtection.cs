using System.Threading.RateLimiting;
using ActionConnections.Errors;
using ActionConnections.Health;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ActionConnections.Overload;

/// <summary>
/// Bounds the work in the server, so that more requests than it can answer make it answer
/// 503 sooner instead of holding every one of them until memory runs out (ADR 0023). Requests
/// are admitted by ASP.NET Core's rate-limiting middleware with a concurrency limiter per pool:
/// at most <see cref="OverloadOptions.MaxConcurrentRequests"/> at a time, then
/// <see cref="OverloadOptions.RequestQueueLimit"/> waiting oldest first, then 503 with
/// <c>Retry-After</c> in the API family's error shape. The health probes are never limited.
/// </summary>
/// <remarks>
/// Two pools: uses of a connection (<c>http_requests</c>, <c>credentials</c>), which wait on
/// upstreams and token endpoints for up to their timeout, and everything else, which waits only
/// on this server and its database. A slow upstream can fill the first pool; reads, writes and
/// the console keep their own. Admissions and rejections are counted by ASP.NET Core's own
/// <c>aspnetcore.rate_limiting.*</c> metrics.
/// </remarks>
internal static class OverloadProtection
{
    public const string UsePool = "use";
    public const string ServerPool = "server";

    /// <summary>Seconds a rejected client is told to wait: a queue this deep drains in about that.</summary>
    public const int RetryAfterSeconds = 1;

    public static IHostApplicationBuilder AddOverloadProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OverloadOptions>()
            .Bind(builder.Configuration.GetSection(OverloadOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OverloadOptions>, OverloadOptionsValidator>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<OverloadOptions>>((limiter, overload) =>
        {
            var limits = new ConcurrencyLimiterOptions
            {
                PermitLimit = overload.Value.MaxConcurrentRequests,
                QueueLimit = overload.Value.RequestQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => PoolOf(context.Request.Path) switch
            {
                null => RateLimitPartition.GetNoLimiter(string.Empty),
                var pool => RateLimitPartition.GetConcurrencyLimiter(pool, _ => limits),
            });
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = static (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(ErrorWriter.WriteAsync(rejected.HttpContext, ErrorWriter.ForStatus(StatusCodes.Status503ServiceUnavailable)));
            };
        });
        return builder;
    }

    public static WebApplication UseOverloadProtection(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The pool a request waits in; null for the health probes, which always answer.</summary>
    internal static string? PoolOf(PathString path)
    {
        if (path.StartsWithSegments(HealthApi.LivePath, StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments(HealthApi.ReadyPath, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var value = path.Value;
        return value is not null
            && (value.EndsWith("/http_requests", StringComparison.OrdinalIgnoreCase) || value.EndsWith("/credentials", StringComparison.OrdinalIgnoreCase))
            ? UsePool
            : ServerPool;
    }
}
