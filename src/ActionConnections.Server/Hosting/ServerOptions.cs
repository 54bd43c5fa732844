using System.Text.RegularExpressions;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Hosting;

/// <summary>
/// Settings of the <c>ActionConnections</c> configuration section. Every setting also has an
/// <c>ACTIONCONNECTIONS_*</c> environment variable (<see cref="EnvironmentSettings"/>); the
/// README's configuration table lists them all.
/// </summary>
internal sealed class ServerOptions
{
    public const string Section = "ActionConnections";

    /// <summary>Where the embedded database, the generated master key and other local state live.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Storage provider: <c>sqlite</c> (embedded, in <see cref="DataDir"/>) or <c>postgres</c>.</summary>
    public string DbProvider { get; set; } = SqliteDatabase.Provider;

    /// <summary>
    /// Npgsql connection string; required for <c>postgres</c>, refused otherwise. It may hold a
    /// password: it is never logged or echoed in an error.
    /// </summary>
    public string? DbConnection { get; set; }

    /// <summary>
    /// Whether the server applies pending migrations when it starts. Default: true for
    /// <c>sqlite</c>, false for <c>postgres</c>, where the <c>migrate</c> verb runs once per
    /// release before the replicas roll.
    /// </summary>
    public bool? DbMigrateOnStart { get; set; }

    /// <summary><see cref="DbMigrateOnStart"/> with the provider's default applied.</summary>
    public bool MigratesOnStart => DbMigrateOnStart ?? DbProvider != PostgresDatabase.Provider;

    /// <summary>32 lowercase hex characters; used for the bootstrap admin's API key when the store is empty.</summary>
    public string? BootstrapApiKey { get; set; }

    /// <summary>40 lowercase hex characters; used for the bootstrap admin's application key when the store is empty.</summary>
    public string? BootstrapAppKey { get; set; }

    /// <summary>Where generated bootstrap keys are written (owner-only); default <c>{DataDir}/bootstrap-keys.env</c>. They are never printed.</summary>
    public string? BootstrapKeysFile { get; set; }

    /// <summary>Base64 of 32 random bytes. Takes precedence over <see cref="MasterKeyFile"/>.</summary>
    public string? MasterKey { get; set; }

    /// <summary>File holding the master key (base64). Default: <c>{DataDir}/master.key</c>, generated on first start.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Comma-separated base64 keys that only decrypt: the keys a rotation moves away from.</summary>
    public string? PreviousMasterKeys { get; set; }

    /// <summary>AWS account that assumes customers' roles; returned as <c>principal_id</c>.</summary>
    public string AwsPrincipalId { get; set; } = "464622532012";

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

    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Minutes without a request after which a console session ends (sliding).</summary>
    public int ConsoleIdleTimeoutMinutes { get; set; } = 30;

    /// <summary>Minutes after sign-in after which a console session ends, however active.</summary>
    public int ConsoleAbsoluteTimeoutMinutes { get; set; } = 480;

    /// <summary>
    /// Comma-separated CIDR blocks, addresses and host names the server may send requests to
    /// despite the built-in deny list of the egress policy (plain http included).
    /// </summary>
    public string? EgressAllow { get; set; }

    /// <summary>Comma-separated CIDR blocks, addresses and host names the server never sends requests to (wins over <see cref="EgressAllow"/>).</summary>
    public string? EgressDeny { get; set; }

    /// <summary>Most bytes of an upstream response body read and returned by the http_requests extension; beyond it the body is truncated.</summary>
    public long HttpResponseMaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Comma-separated <c>Type=URL</c> pairs overriding integrations' API bases (self-managed GitLab, an LLM gateway, tests).</summary>
    public string? IntegrationApiBases { get; set; }
    /// <summary>
    /// Whether <c>POST /api/v2/actionconnections/connections/{id}/resolve</c> may answer secrets in
    /// clear (to a customer's own runner). Off unless an operator turns it on.
    /// </summary>
    public bool ResolveEnabled { get; set; }
}

internal sealed partial class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("ACTIONCONNECTIONS_DATA_DIR must not be empty.");
        }

        ValidateDatabase(options, errors);

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

        if (!AwsAccountPattern().IsMatch(options.AwsPrincipalId))
        {
            errors.Add("ACTIONCONNECTIONS_AWS_PRINCIPAL_ID must be a 12-digit AWS account id.");
        }

        ValidateCloud(options, errors);

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

        if (options.MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add("ACTIONCONNECTIONS_MAX_BODY_BYTES must be between 1024 and 67108864.");
        }

        if (options.ConsoleIdleTimeoutMinutes is < 1 or > 1440)
        {
            errors.Add("ACTIONCONNECTIONS_CONSOLE_IDLE_TIMEOUT_MINUTES must be between 1 and 1440.");
        }

        if (options.ConsoleAbsoluteTimeoutMinutes < options.ConsoleIdleTimeoutMinutes || options.ConsoleAbsoluteTimeoutMinutes > 10080)
        {
            errors.Add("ACTIONCONNECTIONS_CONSOLE_ABSOLUTE_TIMEOUT_MINUTES must be between the idle timeout and 10080 (a week).");
        }

        if (Egress.EgressPolicy.Validate(options.EgressAllow, "ACTIONCONNECTIONS_EGRESS_ALLOW") is { } allow)
        {
            errors.Add(allow);
        }

        if (Egress.EgressPolicy.Validate(options.EgressDeny, "ACTIONCONNECTIONS_EGRESS_DENY") is { } deny)
        {
            errors.Add(deny);
        }

        if (options.HttpResponseMaxBytes is < 1024 or > 256 * 1024 * 1024)
        {
            errors.Add("ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES must be between 1024 and 268435456.");
        }

        if (HttpRequests.ApiBases.Validate(options.IntegrationApiBases) is { } bases)
        {
            errors.Add(bases);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateCloud(ServerOptions options, List<string> errors)
    {
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
    }

    private static bool IsHttpUrl(string value, bool httpsOnly) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (!httpsOnly && uri.Scheme == Uri.UriSchemeHttp))
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;

    private static void ValidateDatabase(ServerOptions options, List<string> errors)
    {
        switch (options.DbProvider)
        {
            case SqliteDatabase.Provider:
                if (!string.IsNullOrWhiteSpace(options.DbConnection))
                {
                    errors.Add("ACTIONCONNECTIONS_DB_CONNECTION is only used with ACTIONCONNECTIONS_DB_PROVIDER 'postgres'; the provider is 'sqlite', whose database lives in ACTIONCONNECTIONS_DATA_DIR.");
                }

                break;
            case PostgresDatabase.Provider:
                if (string.IsNullOrWhiteSpace(options.DbConnection))
                {
                    errors.Add("ACTIONCONNECTIONS_DB_CONNECTION is required with ACTIONCONNECTIONS_DB_PROVIDER 'postgres' (an Npgsql connection string, e.g. Host=db;Database=actionconnections;Username=ac;Password=…).");
                }
                else if (PostgresDatabase.CheckConnectionString(options.DbConnection) is { } problem)
                {
                    // Never the string itself in the message: it may hold a password.
                    errors.Add($"ACTIONCONNECTIONS_DB_CONNECTION {problem}");
                }

                // A key generated into one replica's data directory would differ on every
                // replica: each would fail to decrypt what the others wrote.
                if (string.IsNullOrWhiteSpace(options.MasterKey) && string.IsNullOrWhiteSpace(options.MasterKeyFile))
                {
                    errors.Add("ACTIONCONNECTIONS_MASTER_KEY or ACTIONCONNECTIONS_MASTER_KEY_FILE must be set with ACTIONCONNECTIONS_DB_PROVIDER 'postgres': every replica needs the same master key, so it is never generated.");
                }

                break;
            default:
                errors.Add($"ACTIONCONNECTIONS_DB_PROVIDER '{options.DbProvider}' is not supported; allowed values: 'sqlite', 'postgres'.");
                break;
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    internal static partial Regex ApiKeyPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    internal static partial Regex AppKeyPattern();

    /// <summary>ASCII digits only, to the end (no other Unicode digits, no trailing newline), as the AWS reader checks account ids.</summary>
    [GeneratedRegex(@"^[0-9]{12}\z")]
    private static partial Regex AwsAccountPattern();

    /// <summary>e.g. <c>us-east-1</c>, <c>us-gov-west-1</c>, <c>cn-north-1</c>, <c>eu-isoe-west-1</c>.</summary>
    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\z")]
    private static partial Regex AwsRegionPattern();
}
