using System.Text.Encodings.Web;
using ActionConnections.Identity;
using ActionConnections.WebConsole.Sessions;

namespace ActionConnections.WebConsole;

/// <summary>
/// In front of every console request: the security headers, the session (its caller becomes the
/// request's caller, as the API gateway makes it for a key pair), and an HTML page for a console
/// path that matches nothing.
/// </summary>
internal sealed class ConsoleMiddleware(RequestDelegate next, ConsoleSessions sessions)
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
        }

        await next(context);

        if (context.Response.StatusCode == StatusCodes.Status404NotFound && !context.Response.HasStarted && string.IsNullOrEmpty(context.Response.ContentType))
        {
            await WriteNotFoundAsync(context);
        }
    }

    /// <summary>The answer for an unknown console path or a resource of no organisation of the caller's.</summary>
    public static Task WriteNotFoundAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        var home = HtmlEncoder.Default.Encode(ConsoleRoutes.Connections);
        return context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Not found · ActionConnections</title><link rel="stylesheet" href="/console/assets/console.css"></head>
            <body><main id="main" class="page narrow"><h1>Not found</h1>
            <p>There is nothing here, or nothing your organisation can see.</p>
            <p><a href="{home}">Back to connections</a></p></main></body></html>
            """);
    }
}
