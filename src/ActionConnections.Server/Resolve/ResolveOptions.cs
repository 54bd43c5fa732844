using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Resolve;

/// <summary>Whether secrets may be resolved in clear at all (section <see cref="FeatureOptions.Section"/>; ADR 0016).</summary>
internal sealed class ResolveOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_RESOLVE_ENABLED"] = nameof(ResolveEnabled),
    };

    /// <summary>
    /// Whether <c>POST /api/v2/actionconnections/connections/{id}/resolve</c> may answer secrets in
    /// clear (to a customer's own runner). Off unless an operator turns it on.
    /// </summary>
    public bool ResolveEnabled { get; set; }
}

/// <summary>A boolean has no invalid value once bound (the binder refuses what is not one).</summary>
internal sealed class ResolveOptionsValidator : IValidateOptions<ResolveOptions>
{
    public ValidateOptionsResult Validate(string? name, ResolveOptions options) => ValidateOptionsResult.Success;
}
