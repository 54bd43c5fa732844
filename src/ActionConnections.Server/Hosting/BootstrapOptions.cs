using System.Text.RegularExpressions;
using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Hosting;

/// <summary>The first organisation's keys, when the store is empty at start (section <see cref="FeatureOptions.Section"/>).</summary>
internal sealed class BootstrapOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_BOOTSTRAP_API_KEY"] = nameof(BootstrapApiKey),
        ["ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY"] = nameof(BootstrapAppKey),
        ["ACTIONCONNECTIONS_BOOTSTRAP_KEYS_FILE"] = nameof(BootstrapKeysFile),
    };

    /// <summary>32 lowercase hex characters; used for the bootstrap admin's API key when the store is empty.</summary>
    public string? BootstrapApiKey { get; set; }

    /// <summary>40 lowercase hex characters; used for the bootstrap admin's application key when the store is empty.</summary>
    public string? BootstrapAppKey { get; set; }

    /// <summary>Where generated bootstrap keys are written (owner-only); default <c>{DataDir}/bootstrap-keys.env</c>. They are never printed.</summary>
    public string? BootstrapKeysFile { get; set; }
}

internal sealed partial class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        var errors = new List<string>();
        if (options.BootstrapApiKey is { } api && !ApiKeyPattern().IsMatch(api))
        {
            errors.Add("ACTIONCONNECTIONS_BOOTSTRAP_API_KEY must be 32 lowercase hexadecimal characters.");
        }

        if (options.BootstrapAppKey is { } app && !AppKeyPattern().IsMatch(app))
        {
            errors.Add("ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be 40 lowercase hexadecimal characters.");
        }

        if ((options.BootstrapApiKey is null) != (options.BootstrapAppKey is null))
        {
            errors.Add("ACTIONCONNECTIONS_BOOTSTRAP_API_KEY and ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be set together.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex AppKeyPattern();
}
