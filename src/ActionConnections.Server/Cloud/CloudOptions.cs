using System.Text.RegularExpressions;
using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cloud;

/// <summary>Where and how long short-lived cloud credentials are minted (section <see cref="FeatureOptions.Section"/>; ADR 0014).</summary>
internal sealed class CloudOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_AWS_REGION"] = nameof(AwsRegion),
        ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = nameof(AwsStsEndpoint),
        ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = nameof(AzureAuthority),
        ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = nameof(GcpTokenUri),
        ["ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS"] = nameof(CloudTimeoutSeconds),
    };

    /// <summary>
    /// Region of the STS client that assumes customers' roles (and signs for it): its regional
    /// endpoint unless <see cref="AwsStsEndpoint"/> is set.
    /// </summary>
    public string AwsRegion { get; set; } = "us-east-1";

    /// <summary>STS endpoint URL (GovCloud, China, a VPC endpoint, a test fake). Default: the SDK's for <see cref="AwsRegion"/>.</summary>
    public string? AwsStsEndpoint { get; set; }

    /// <summary>Microsoft Entra authority host for Azure connections' client credentials (sovereign clouds, test fakes).</summary>
    public string AzureAuthority { get; set; } = "https://login.microsoftonline.com";

    /// <summary>Token endpoint where GCP connections exchange their signed JWT assertion.</summary>
    public string GcpTokenUri { get; set; } = "https://oauth2.googleapis.com/token";

    /// <summary>How long one credential mint may take, retries included, before the answer is 504.</summary>
    public int CloudTimeoutSeconds { get; set; } = 30;
}

internal sealed partial class CloudOptionsValidator : IValidateOptions<CloudOptions>
{
    public ValidateOptionsResult Validate(string? name, CloudOptions options)
    {
        var errors = new List<string>();
        if (!AwsRegionPattern().IsMatch(options.AwsRegion))
        {
            errors.Add("ACTIONCONNECTIONS_AWS_REGION must be an AWS region name such as us-east-1.");
        }

        if (options.AwsStsEndpoint is { } sts && !IsHttpUrl(sts, httpsOnly: false))
        {
            errors.Add("ACTIONCONNECTIONS_AWS_STS_ENDPOINT must be an absolute http(s) URL such as https://sts.us-gov-west-1.amazonaws.com.");
        }

        // MSAL refuses any authority that is not https.
        if (!IsHttpUrl(options.AzureAuthority, httpsOnly: true))
        {
            errors.Add("ACTIONCONNECTIONS_AZURE_AUTHORITY must be an absolute https URL such as https://login.microsoftonline.us.");
        }

        if (!IsHttpUrl(options.GcpTokenUri, httpsOnly: false))
        {
            errors.Add("ACTIONCONNECTIONS_GCP_TOKEN_URI must be an absolute http(s) URL such as https://oauth2.googleapis.com/token.");
        }

        if (options.CloudTimeoutSeconds is < 1 or > 120)
        {
            errors.Add("ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS must be between 1 and 120.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string value, bool httpsOnly) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (!httpsOnly && uri.Scheme == Uri.UriSchemeHttp))
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    /// <summary>e.g. <c>us-east-1</c>, <c>us-gov-west-1</c>, <c>cn-north-1</c>, <c>eu-isoe-west-1</c>.</summary>
    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\z")]
    private static partial Regex AwsRegionPattern();
}
