using System.Collections.Concurrent;

namespace ActionConnections.RateLimiting;

/// <summary>
/// Counts requests per key in clock-aligned fixed windows, as Datadog documents its limits
/// ("period … calendar aligned"). In-process: with several replicas each enforces the limit on
/// its own share of traffic (documented in the README).
/// </summary>
internal sealed class FixedWindowRateLimiter(TimeProvider time)
{
    private const int PurgeThreshold = 50_000;

    private readonly ConcurrentDictionary<RateLimitKey, Window> _windows = new();

    /// <summary>
    /// Counts one request and says whether it is allowed; with <paramref name="consume"/> false,
    /// counts nothing and says whether one more request would be allowed.
    /// </summary>
    public RateLimitDecision Acquire(RateLimitKey key, int limit, int periodSeconds, bool consume = true)
    {
        var nowSeconds = time.GetUtcNow().ToUnixTimeSeconds();
        var index = nowSeconds / periodSeconds;
        var reset = (int)(((index + 1) * periodSeconds) - nowSeconds);
        if (!consume && !_windows.ContainsKey(key))
        {
            // Nothing counted yet: a peek need not create a window.
            return new RateLimitDecision(key.Group, limit, periodSeconds, limit, reset, limit > 0);
        }

        if (_windows.Count > PurgeThreshold)
        {
            Purge(index, periodSeconds);
        }

        var window = _windows.GetOrAdd(key, static _ => new Window());
        int used;
        lock (window)
        {
            if (window.Index != index || window.Period != periodSeconds)
            {
                window.Index = index;
                window.Period = periodSeconds;
                window.Count = 0;
            }

            if (consume && window.Count <= limit)
            {
                window.Count++;
            }

            used = window.Count;
        }

        // A peek sees only the requests already counted: one more fits while they are below the limit.
        var allowed = consume ? used <= limit : used < limit;
        return new RateLimitDecision(key.Group, limit, periodSeconds, Math.Max(0, limit - used), reset, allowed);
    }

    private void Purge(long currentIndex, int periodSeconds)
    {
        foreach (var (key, window) in _windows)
        {
            if (window.Index < currentIndex || window.Period != periodSeconds)
            {
                _windows.TryRemove(key, out _);
            }
        }
    }

    private sealed class Window
    {
        public long Index { get; set; }

        public int Period { get; set; }

        public int Count { get; set; }
    }
}

/// <summary>
/// What requests are counted by: an organisation's operation group, one application key's share
/// of it (<see cref="RateLimitShares"/>), or a client address's authentication failures.
/// </summary>
internal readonly record struct RateLimitKey(string Group, Guid OrgId, string? Client, Guid AppKeyId = default)
{
    public static RateLimitKey ForOrganization(Guid orgId, string group) => new(group, orgId, null);

    public static RateLimitKey ForKey(Guid orgId, string group, Guid appKeyId) => new(group, orgId, null, appKeyId);

    public static RateLimitKey ForFailuresFrom(string client) => new(RateLimitGroups.Authentication, Guid.Empty, client);
}

internal readonly record struct RateLimitDecision(string Name, int Limit, int Period, int Remaining, int Reset, bool Allowed)
{
    /// <summary>
    /// Sets the headers when the response starts rather than now: the exception handler clears
    /// the response before it writes a 500 or 413, and those must carry the headers too.
    /// </summary>
    public void ApplyTo(HttpResponse response) =>
        response.OnStarting(static state =>
        {
            var (decision, target) = ((RateLimitDecision, HttpResponse))state;
            decision.WriteHeaders(target);
            return Task.CompletedTask;
        }, (this, response));

    private void WriteHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers["X-RateLimit-Limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Period"] = Period.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = Reset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Name"] = Name;
    }
}
