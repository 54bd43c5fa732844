using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Egress;

/// <summary>The egress policy's deployment lists (section <see cref="FeatureOptions.Section"/>; ADR 0013).</summary>
internal sealed class EgressOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_EGRESS_ALLOW"] = nameof(EgressAllow),
        ["ACTIONCONNECTIONS_EGRESS_DENY"] = nameof(EgressDeny),
    };

    /// <summary>
    /// Comma-separated CIDR blocks, addresses and host names the server may send requests to
    /// despite the built-in deny list of the egress policy (plain http included).
    /// </summary>
    public string? EgressAllow { get; set; }

    /// <summary>Comma-separated CIDR blocks, addresses and host names the server never sends requests to (wins over <see cref="EgressAllow"/>).</summary>
    public string? EgressDeny { get; set; }
}

internal sealed class EgressOptionsValidator : IValidateOptions<EgressOptions>
{
    public ValidateOptionsResult Validate(string? name, EgressOptions options)
    {
        var errors = new List<string>();
        if (EgressPolicy.Validate(options.EgressAllow, "ACTIONCONNECTIONS_EGRESS_ALLOW") is { } allow)
        {
            errors.Add(allow);
        }

        if (EgressPolicy.Validate(options.EgressDeny, "ACTIONCONNECTIONS_EGRESS_DENY") is { } deny)
        {
            errors.Add(deny);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
