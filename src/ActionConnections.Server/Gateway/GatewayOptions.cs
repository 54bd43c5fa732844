using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Gateway;

/// <summary>Rate limits and authentication at the front door (section <see cref="FeatureOptions.Section"/>).</summary>
internal sealed class GatewayOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS"] = nameof(RateLimitRequests),
        ["ACTIONCONNECTIONS_RATE_LIMIT_PERIOD_SECONDS"] = nameof(RateLimitPeriodSeconds),
        ["ACTIONCONNECTIONS_AUTH_FAILURE_LIMIT"] = nameof(AuthFailureLimit),
        ["ACTIONCONNECTIONS_AUTH_CACHE_SECONDS"] = nameof(AuthCacheSeconds),
    };

    /// <summary>Requests allowed per organisation and operation group in each period.</summary>
    public int RateLimitRequests { get; set; } = 6000;

    /// <summary>Length of a rate-limit period in seconds (periods are aligned to the clock).</summary>
    public int RateLimitPeriodSeconds { get; set; } = 60;

    /// <summary>
    /// How long a successful authentication is remembered (0 = never). Changes through this
    /// server's API apply at once; changes elsewhere (another replica, the CLI) within this bound.
    /// </summary>
    public int AuthCacheSeconds { get; set; } = 1;

    /// <summary>Authentication failures allowed per client address in each period before 429.</summary>
    public int AuthFailureLimit { get; set; } = 120;
}

internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        if (options.RateLimitRequests < 1)
        {
            errors.Add("ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS must be at least 1.");
        }

        if (options.RateLimitPeriodSeconds is < 1 or > 86400)
        {
            errors.Add("ACTIONCONNECTIONS_RATE_LIMIT_PERIOD_SECONDS must be between 1 and 86400.");
        }

        if (options.AuthCacheSeconds is < 0 or > 60)
        {
            errors.Add("ACTIONCONNECTIONS_AUTH_CACHE_SECONDS must be between 0 and 60.");
        }

        if (options.AuthFailureLimit < 1)
        {
            errors.Add("ACTIONCONNECTIONS_AUTH_FAILURE_LIMIT must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
