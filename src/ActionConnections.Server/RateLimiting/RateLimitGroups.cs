namespace ActionConnections.RateLimiting;

/// <summary>The operation groups limits are counted in (the <c>X-RateLimit-Name</c> header).</summary>
internal static class RateLimitGroups
{
    public const string Authentication = "authentication";

    public static string For(PathString path)
    {
        if (path.StartsWithSegments("/api/v2/actions/connections", StringComparison.OrdinalIgnoreCase))
        {
            return "action_connections";
        }

        // Minting asks a cloud provider: its own budget, so it cannot starve the CRUD operations.
        if (path.StartsWithSegments("/api/v2/actionconnections/connections", StringComparison.OrdinalIgnoreCase)
            && path.Value!.EndsWith("/credentials", StringComparison.OrdinalIgnoreCase))
        {
            return "connection_credentials";
        }

        // Using connections sends requests out and waits for them: counted apart, so a burst of
        // executions does not use up an organisation's budget for managing its connections.
        if (path.StartsWithSegments("/api/v2/actionconnections/connections", StringComparison.OrdinalIgnoreCase))
        {
            return "connection_http_requests";
        }

        if (path.StartsWithSegments("/api/v2/actions/app_key_registrations", StringComparison.OrdinalIgnoreCase))
        {
            return "app_key_registrations";
        }

        if (path.StartsWithSegments("/api/v2/api_keys", StringComparison.OrdinalIgnoreCase))
        {
            return "api_keys";
        }

        if (path.StartsWithSegments("/api/v2/application_keys", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/api/v2/current_user", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/api/v2/service_accounts", StringComparison.OrdinalIgnoreCase))
        {
            return "application_keys";
        }

        return "api";
    }
}

/// <summary>How much of its organisation's budget one application key may spend.</summary>
internal static class RateLimitShares
{
    /// <summary>A key may always make this many requests per window (up to the whole budget).</summary>
    public const int MinimumPerKey = 10;

    /// <summary>
    /// Half of the organisation's requests per group and window, but at least
    /// <see cref="MinimumPerKey"/>: however busy one key is, the other half stays for every other
    /// key of the organisation, admins included. Half, because most organisations run one or two
    /// busy automation keys, each of which should still be able to burst. Budgets of 20 or less
    /// are not split: halving them would leave each client almost nothing, and such budgets are
    /// set on purpose (tests, deliberately throttled tenants), not by default (6000).
    /// </summary>
    public static int PerKey(int organizationLimit) =>
        Math.Min(organizationLimit, Math.Max(MinimumPerKey, (organizationLimit + 1) / 2));
}
