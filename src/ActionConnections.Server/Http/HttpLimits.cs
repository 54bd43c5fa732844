using ActionConnections.Settings;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ActionConnections.Http;

/// <summary>Limits on what a request may bring (section <see cref="FeatureOptions.Section"/>).</summary>
internal sealed class HttpLimitsOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_MAX_BODY_BYTES"] = nameof(MaxRequestBodyBytes),
    };

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

internal sealed class HttpLimitsOptionsValidator : IValidateOptions<HttpLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpLimitsOptions options) =>
        options.MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024
            ? ValidateOptionsResult.Fail("ACTIONCONNECTIONS_MAX_BODY_BYTES must be between 1024 and 67108864.")
            : ValidateOptionsResult.Success;
}

internal static class HttpLimits
{
    /// <summary>Kestrel's limits, documented in the README: oversized input is refused before it costs anything.</summary>
    public static IHostApplicationBuilder AddHttpLimits(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<HttpLimitsOptions, HttpLimitsOptionsValidator>();

        // Read from the bound options when Kestrel is configured, not from the configuration as
        // it stands now: sources added after this call (command line, a test's settings) would
        // otherwise be ignored, and the limit would not be the validated one.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, limits) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
        });
        return builder;
    }
}
