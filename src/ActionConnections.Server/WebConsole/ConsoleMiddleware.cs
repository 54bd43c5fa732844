using System.Text.Encodings.Web;
using ActionConnections.Audit;
using ActionConnections.Gateway;
using ActionConnections.HttpRequests;
using ActionConnections.Identity;
using ActionConnections.Observability;
using ActionConnections.RateLimiting;
using ActionConnections.WebConsole.Sessions;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole;

/// <summary>
/// In front of every console request: the security headers, the session (its caller becomes the
/// request's caller, as the API gateway makes it for a key pair), the organisation's rate limit of
/// the API operation group the page stands for, and an HTML page for a console path that matches
/// nothing.
/// </summary>
internal sealed class ConsoleMiddleware(
    RequestDelegate next,
    ConsoleSessions sessions,
    FixedWindowRateLimiter limiter,
    ActionConnectionsMetrics metrics,
    IOptions<GatewayOptions> options)
{
    /// <summary>Scripts, styles and images from this server only; no inline script or style; never framed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";

        // Pages carry organisation data; only the static assets may be cached (ConsoleAssets).
        headers.CacheControl = "no-store";

        if (await sessions.ResumeAsync(context) is { } caller)
        {
            context.Features.Set<Caller>(caller);

            // A console page spends the same budget as the API calls it stands for, so a browser
            // is no way around an organisation's limits.
            if (RateLimitGroupOf(context.Request) is { } group)
            {
                // The gateway's two budgets: the key's share, then the organisation's.
                var server = options.Value;
                var period = server.RateLimitPeriodSeconds;
                var organization = RateLimitKey.ForOrganization(caller.OrgId, group);
                var share = limiter.Acquire(RateLimitKey.ForKey(caller.OrgId, group, caller.AppKeyId), RateLimitShares.PerKey(server.RateLimitRequests), period);
                var decision = !share.Allowed
                    ? limiter.Acquire(organization, server.RateLimitRequests, period, consume: false) with { Remaining = 0, Allowed = false }
                    : limiter.Acquire(organization, server.RateLimitRequests, period);
                decision.ApplyTo(context.Response);
                if (!decision.Allowed)
                {
                    metrics.RecordRateLimitRejection(group);
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    await WritePageAsync(context, "Too many requests", "Your organisation has used its requests for this period. Wait a moment and try again.");
                    return;
                }
            }
        }

        await next(context);

        if (context.Response.StatusCode == StatusCodes.Status404NotFound && !context.Response.HasStarted && string.IsNullOrEmpty(context.Response.ContentType))
        {
            await WriteNotFoundAsync(context);
        }
    }

    /// <summary>
    /// The API operation group (<see cref="RateLimitGroups"/>) a console request is counted in:
    /// that of the API path it stands for. Sign-in (counted by the failure limit), sign-out and
    /// the static assets are not counted.
    /// </summary>
    public static string? RateLimitGroupOf(HttpRequest request)
    {
        var path = request.Path;
        if (path.StartsWithSegments(ConsoleRoutes.Connections, StringComparison.OrdinalIgnoreCase))
        {
            // The Test panel sends a request through the connection, as the http_requests extension does.
            var test = HttpMethods.IsPost(request.Method) && string.Equals(request.Query["handler"], "test", StringComparison.OrdinalIgnoreCase);
            return RateLimitGroups.For(test ? HttpRequestsApi.Path : "/api/v2/actions/connections");
        }

        if (path.StartsWithSegments(ConsoleRoutes.Registrations, StringComparison.OrdinalIgnoreCase))
        {
            return RateLimitGroups.For("/api/v2/actions/app_key_registrations");
        }

        return path.StartsWithSegments(ConsoleRoutes.Audit, StringComparison.OrdinalIgnoreCase) ? RateLimitGroups.For(AuditApi.Path) : null;
    }

    /// <summary>The answer for an unknown console path or a resource of no organisation of the caller's.</summary>
    public static Task WriteNotFoundAsync(HttpContext context) =>
        WritePageAsync(context, "Not found", "There is nothing here, or nothing your organisation can see.");

    private static Task WritePageAsync(HttpContext context, string title, string message)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        var home = HtmlEncoder.Default.Encode(ConsoleRoutes.Connections);
        var heading = HtmlEncoder.Default.Encode(title);
        var text = HtmlEncoder.Default.Encode(message);
        return context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{heading} · ActionConnections</title><link rel="stylesheet" href="/console/assets/console.css"></head>
            <body><main id="main" class="page narrow"><h1>{heading}</h1>
            <p>{text}</p>
            <p><a href="{home}">Back to connections</a></p></main></body></html>
            """);
    }
}
