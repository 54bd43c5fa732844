using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.HttpRequests;

/// <summary>Using a connection: what comes back, and where integrations' requests go (section <see cref="FeatureOptions.Section"/>).</summary>
internal sealed class HttpRequestsOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES"] = nameof(HttpResponseMaxBytes),
        [ApiBases.SettingName] = nameof(IntegrationApiBases),
    };

    /// <summary>Most bytes of an upstream response body read and returned by the http_requests extension; beyond it the body is truncated.</summary>
    public long HttpResponseMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Comma-separated <c>Type=URL</c> pairs overriding integrations' API bases (self-managed GitLab, an LLM gateway, tests).</summary>
    public string? IntegrationApiBases { get; set; }
}

internal sealed class HttpRequestsOptionsValidator : IValidateOptions<HttpRequestsOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpRequestsOptions options)
    {
        var errors = new List<string>();
        if (options.HttpResponseMaxBytes is < 1024 or > 256 * 1024 * 1024)
        {
            errors.Add("ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES must be between 1024 and 268435456.");
        }

        if (ApiBases.Validate(options.IntegrationApiBases) is { } bases)
        {
            errors.Add(bases);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
