using System.Text.RegularExpressions;
using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Connections;

/// <summary>What this deployment writes into connections (section <see cref="FeatureOptions.Section"/>).</summary>
internal sealed class ConnectionsOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_AWS_PRINCIPAL_ID"] = nameof(AwsPrincipalId),
    };

    /// <summary>AWS account that assumes customers' roles; returned as <c>principal_id</c> (the cloud feature checks it at start).</summary>
    public string AwsPrincipalId { get; set; } = "464622532012";
}

internal sealed partial class ConnectionsOptionsValidator : IValidateOptions<ConnectionsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionsOptions options) =>
        AwsAccountPattern().IsMatch(options.AwsPrincipalId)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("ACTIONCONNECTIONS_AWS_PRINCIPAL_ID must be a 12-digit AWS account id.");

    /// <summary>ASCII digits only, to the end (no other Unicode digits, no trailing newline), as the AWS reader checks account ids.</summary>
    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AwsAccountPattern();
}
