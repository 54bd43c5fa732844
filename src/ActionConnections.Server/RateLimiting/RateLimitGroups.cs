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
