using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Observability;
using ActionConnections.RateLimiting;
using Microsoft.Extensions.Options;

namespace ActionConnections.Gateway;

/// <summary>
/// In front of every <c>/api/v2</c> request: both keys are required and must resolve to one
/// organisation; then the rules the endpoint declares (<see cref="AccessRules"/>) are evaluated,
/// and the organisation's rate limit for the operation group applies. Every failure to
/// authenticate gets the same 403 body, so nothing about keys can be probed; repeated failures
/// from one client address are limited too.
/// </summary>
/// <remarks>
/// Rate budgets (issue 11, item 1): a request its declared rules refuse does not spend the
/// organisation's budget, and no application key may spend more than its share of it
/// (<see cref="RateLimitShares.PerKey"/>), so one key can never drive the rest of its
/// organisation into 429.
/// </remarks>
internal sealed class ApiGatewayMiddleware(
    RequestDelegate next,
    AuthenticationCache authentication,
    FixedWindowRateLimiter limiter,
    IOptions<GatewayOptions> options,
    IOptions<HttpLimitsOptions> limits,
    AuthenticationFailures failureLog,
    AuditRecorder audit,
    ActionConnectionsMetrics metrics)
{
    public const string ApiKeyHeader = "DD-API-KEY";
    public const string AppKeyHeader = "DD-APPLICATION-KEY";

    private readonly GatewayOptions _options = options.Value;
    private readonly long _maxRequestBodyBytes = limits.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsPublic(context.Request.Path))
        {
            await next(context);
            return;
        }

        // IPv6 clients count by /64: one host usually holds a whole /64.
        var failureKey = RateLimitKey.ForFailuresFrom(ClientAddress.LimitKeyOf(context.Connection.RemoteIpAddress));
        var failures = limiter.Acquire(failureKey, _options.AuthFailureLimit, _options.RateLimitPeriodSeconds, consume: false);
        if (!failures.Allowed)
        {
            metrics.RecordRateLimitRejection(RateLimitGroups.Authentication);
            failures.ApplyTo(context.Response);
            await ErrorWriter.WriteAsync(context, ErrorWriter.ForStatus(StatusCodes.Status429TooManyRequests));
            return;
        }

        var apiKey = context.Request.Headers[ApiKeyHeader].ToString();
        var appKey = context.Request.Headers[AppKeyHeader].ToString();
        Caller? caller = null;
        if (apiKey.Length is > 0 and <= 256 && appKey.Length is > 0 and <= 256)
        {
            caller = await authentication.AuthenticateAsync(apiKey, appKey, context.RequestAborted);
        }

        if (caller is null)
        {
            metrics.RecordAuthenticationFailure();

            // Recorded under the organisation of the API key when that key alone is valid, so an
            // organisation sees attempts made with its keys; aggregated, so they cannot flood it.
            await failureLog.RecordAsync(context, apiKey);
            limiter.Acquire(failureKey, _options.AuthFailureLimit, _options.RateLimitPeriodSeconds).ApplyTo(context.Response);
            await ErrorWriter.WriteAsync(context, ApiProblem.Forbidden());
            return;
        }

        // Evaluated before counting: whether the request may spend the organisation's budget
        // depends on it. Answered after the 429 and 413 checks, in the order callers saw before.
        var endpoint = context.GetEndpoint();
        var refused = endpoint.Authorize(caller);
        var group = RateLimitGroups.For(context.Request.Path);
        var period = _options.RateLimitPeriodSeconds;
        var organization = RateLimitKey.ForOrganization(caller.OrgId, group);
        var share = limiter.Acquire(RateLimitKey.ForKey(caller.OrgId, group, caller.AppKeyId), RateLimitShares.PerKey(_options.RateLimitRequests), period);
        var decision = !share.Allowed
            ? limiter.Acquire(organization, _options.RateLimitRequests, period, consume: false) with { Remaining = 0, Allowed = false }
            : limiter.Acquire(organization, _options.RateLimitRequests, period, consume: refused is null);
        decision.ApplyTo(context.Response);
        if (!decision.Allowed)
        {
            metrics.RecordRateLimitRejection(group);
            await ErrorWriter.WriteAsync(context, ErrorWriter.ForStatus(StatusCodes.Status429TooManyRequests));
            return;
        }

        // Kestrel enforces its body limit only when a body is read, so a route that ignores its
        // body (PUT register, unknown routes) would accept any size. A declared length over the
        // limit is refused here, for every route; chunked bodies still meet Kestrel's limit.
        if (context.Request.ContentLength > _maxRequestBodyBytes)
        {
            await ErrorWriter.WriteAsync(context, ErrorWriter.ForStatus(StatusCodes.Status413PayloadTooLarge));
            return;
        }

        context.Features.Set(caller);
        if ((endpoint.CheckUuidRouteValues(context.Request) ?? refused) is { } answer)
        {
            if (endpoint?.Metadata.GetMetadata<NotStoredAnswers>() is not null)
            {
                context.Response.Headers.CacheControl = "no-store";
            }

            // The handler never runs; an audited operation still records the refusal.
            if (endpoint?.Metadata.GetMetadata<AuditedOperation>() is { } operation)
            {
                await audit.RecordRefusalAsync(context, caller, operation, answer.StatusCode);
            }

            await ErrorWriter.WriteAsync(context, answer);
            return;
        }

        await next(context);
    }

    /// <summary>The served API description is public, like Datadog's published one.</summary>
    private static bool IsPublic(PathString path) =>
        path.Equals("/api/v2/openapi.json", StringComparison.OrdinalIgnoreCase);
}
