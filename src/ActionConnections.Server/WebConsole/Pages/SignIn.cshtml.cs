using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Gateway;
using ActionConnections.Identity;
using ActionConnections.Observability;
using ActionConnections.RateLimiting;
using ActionConnections.WebConsole.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole.Pages;

/// <summary>
/// Sign-in with the two keys, checked exactly as the API gateway checks a request's headers
/// (same authentication, same per-address failure limit, same audit of failures). The keys are
/// read from the form and dropped: they are never echoed, stored or logged; the session holds
/// their ids only.
/// </summary>
internal sealed class SignInModel(
    AuthenticationCache authentication,
    FixedWindowRateLimiter limiter,
    ConsoleSessions sessions,
    AuditRecorder audit,
    AuthenticationFailures failureLog,
    ActionConnectionsMetrics metrics,
    IOptions<GatewayOptions> options) : PageModel
{
    private const int MaxKeyLength = 256;

    public string? Error { get; private set; }

    public string Return { get; private set; } = ConsoleRoutes.Connections;

    public bool SignedOut { get; private set; }

    public IActionResult OnGet([FromQuery(Name = "return")] string? back, [FromQuery(Name = "signed_out")] string? signedOut)
    {
        if (HttpContext.Features.Get<Caller>() is not null)
        {
            return Redirect(SafeReturn(back));
        }

        Return = SafeReturn(back);
        SignedOut = signedOut == "1";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        Return = SafeReturn(form["return"]);
        // Counted exactly as the API gateway counts: per address, IPv6 per /64.
        var failureKey = RateLimitKey.ForFailuresFrom(ClientAddress.LimitKeyOf(HttpContext.Connection.RemoteIpAddress));
        var server = options.Value;
        var failures = limiter.Acquire(failureKey, server.AuthFailureLimit, server.RateLimitPeriodSeconds, consume: false);
        if (!failures.Allowed)
        {
            metrics.RecordRateLimitRejection(RateLimitGroups.Authentication);
            failures.ApplyTo(Response);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Error = "Too many failed sign-ins from this address. Wait a minute and try again.";
            return Page();
        }

        var apiKey = form["api_key"].ToString();
        var appKey = form["app_key"].ToString();
        Caller? caller = null;
        if (apiKey.Length is > 0 and <= MaxKeyLength && appKey.Length is > 0 and <= MaxKeyLength)
        {
            caller = await authentication.AuthenticateAsync(apiKey, appKey, HttpContext.RequestAborted);
        }

        if (caller is null)
        {
            // Recorded as the gateway records failures (aggregated per key, address and period).
            metrics.RecordAuthenticationFailure();
            await failureLog.RecordAsync(HttpContext, apiKey, ConsolePageModel.AuditSource);
            limiter.Acquire(failureKey, server.AuthFailureLimit, server.RateLimitPeriodSeconds);
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Error = "Those keys were not accepted. Check both keys and try again.";
            return Page();
        }

        sessions.Begin(HttpContext, caller);
        HttpContext.Features.Set(caller);
        var signedIn = AuditedAction.Http(HttpContext, AuditActions.ConsoleSignIn, "app_key", caller, targetId: caller.AppKeyId.ToString("D")) with { Source = ConsolePageModel.AuditSource };
        await audit.RecordOutcomeAsync(signedIn, StatusCodes.Status303SeeOther, null, CancellationToken.None);
        return new RedirectResult(Return, permanent: false, preserveMethod: false);
    }

    /// <summary>Only a console path of this server: never an open redirect.</summary>
    private static string SafeReturn(string? back) =>
        back is { Length: > 0 and < 2048 } && back.StartsWith(ConsoleRoutes.Base + "/", StringComparison.Ordinal) && !back.StartsWith(ConsoleRoutes.SignIn, StringComparison.Ordinal)
            && !back.Contains("//", StringComparison.Ordinal) && !back.Contains('\\', StringComparison.Ordinal)
            ? back
            : ConsoleRoutes.Connections;
}
