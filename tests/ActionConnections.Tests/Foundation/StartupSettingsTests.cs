using ActionConnections.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActionConnections.Tests.Foundation;

/// <summary>A wrong setting stops the start with a clear message; nothing falls back silently.</summary>
public sealed class StartupSettingsTests
{
    private const string ValidApiKey = "0123456789abcdef0123456789abcdef";
    private const string ValidAppKey = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", ValidAppKey, "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY must be 32 lowercase hexadecimal characters.")]
    [InlineData("0123456789abcdef", ValidAppKey, "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY must be 32 lowercase hexadecimal characters.")]
    [InlineData("0123456789abcdef0123456789abcdeg", ValidAppKey, "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY must be 32 lowercase hexadecimal characters.")]
    [InlineData(ValidApiKey + "0", ValidAppKey, "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY must be 32 lowercase hexadecimal characters.")]
    [InlineData(ValidApiKey, "0123456789ABCDEF0123456789abcdef01234567", "ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be 40 lowercase hexadecimal characters.")]
    [InlineData(ValidApiKey, ValidApiKey, "ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be 40 lowercase hexadecimal characters.")]
    [InlineData(ValidApiKey, " " + ValidAppKey, "ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be 40 lowercase hexadecimal characters.")]
    [InlineData(ValidApiKey, null, "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY and ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be set together.")]
    [InlineData(null, ValidAppKey, "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY and ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY must be set together.")]
    public void Options_InvalidBootstrapKeys_FailValidation(string? apiKey, string? appKey, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ActionConnections:BootstrapApiKey"] = apiKey,
            ["ActionConnections:BootstrapAppKey"] = appKey,
        };

        var error = Assert.Throws<OptionsValidationException>(() => BuildAndResolveOptions(settings));

        Assert.Equal([expected], error.Failures);
    }

    [Theory]
    [InlineData("DbProvider", "mysql", "ACTIONCONNECTIONS_DB_PROVIDER 'mysql' is not supported; allowed values: 'sqlite', 'postgres'.")]
    [InlineData("RateLimitRequests", "0", "ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS must be at least 1.")]
    [InlineData("RateLimitPeriodSeconds", "86401", "ACTIONCONNECTIONS_RATE_LIMIT_PERIOD_SECONDS must be between 1 and 86400.")]
    [InlineData("AuthFailureLimit", "0", "ACTIONCONNECTIONS_AUTH_FAILURE_LIMIT must be at least 1.")]
    [InlineData("MaxRequestBodyBytes", "1023", "ACTIONCONNECTIONS_MAX_BODY_BYTES must be between 1024 and 67108864.")]
    [InlineData("EgressAllow", "10.0.0.1/8", "ACTIONCONNECTIONS_EGRESS_ALLOW: '10.0.0.1/8' is not a CIDR block (e.g. 10.20.0.0/16) with its host bits zero.")]
    [InlineData("EgressDeny", "not a host", "ACTIONCONNECTIONS_EGRESS_DENY: 'not a host' is neither a CIDR block, an IP address nor a host name.")]
    [InlineData("HttpResponseMaxBytes", "1000", "ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES must be between 1024 and 268435456.")]
    [InlineData("IntegrationApiBases", "Gitlab", "ACTIONCONNECTIONS_INTEGRATION_API_BASES: 'Gitlab' is not Type=URL (e.g. Gitlab=https://gitlab.example.com/api/v4).")]
    [InlineData("IntegrationApiBases", "HTTP=https://x", "ACTIONCONNECTIONS_INTEGRATION_API_BASES: 'HTTP' is not an integration with an API base; HTTP connections carry their own base_url.")]
    [InlineData("IntegrationApiBases", "OpenAI=ftp://x", "ACTIONCONNECTIONS_INTEGRATION_API_BASES: the URL of OpenAI must be an absolute http(s) URL without user info, query or fragment.")]
    [InlineData("AwsPrincipalId", "12345", "ACTIONCONNECTIONS_AWS_PRINCIPAL_ID must be a 12-digit AWS account id.")]
    [InlineData("AwsPrincipalId", "464622532012\n", "ACTIONCONNECTIONS_AWS_PRINCIPAL_ID must be a 12-digit AWS account id.")]
    [InlineData("AwsPrincipalId", "４６４６２２５３２０１２", "ACTIONCONNECTIONS_AWS_PRINCIPAL_ID must be a 12-digit AWS account id.")]
    [InlineData("AwsRegion", "US-EAST-1", "ACTIONCONNECTIONS_AWS_REGION must be an AWS region name such as us-east-1.")]
    [InlineData("AwsRegion", "useast1", "ACTIONCONNECTIONS_AWS_REGION must be an AWS region name such as us-east-1.")]
    [InlineData("AwsStsEndpoint", "sts.amazonaws.com", "ACTIONCONNECTIONS_AWS_STS_ENDPOINT must be an absolute http(s) URL such as https://sts.us-gov-west-1.amazonaws.com.")]
    [InlineData("AwsStsEndpoint", "https://user:pw@sts.amazonaws.com", "ACTIONCONNECTIONS_AWS_STS_ENDPOINT must be an absolute http(s) URL such as https://sts.us-gov-west-1.amazonaws.com.")]
    [InlineData("AzureAuthority", "http://login.microsoftonline.com", "ACTIONCONNECTIONS_AZURE_AUTHORITY must be an absolute https URL such as https://login.microsoftonline.us.")]
    [InlineData("GcpTokenUri", "ftp://oauth2.googleapis.com/token", "ACTIONCONNECTIONS_GCP_TOKEN_URI must be an absolute http(s) URL such as https://oauth2.googleapis.com/token.")]
    [InlineData("CloudTimeoutSeconds", "0", "ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS must be between 1 and 120.")]
    public void Options_OutOfRangeSetting_FailsValidation(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [$"ActionConnections:{setting}"] = value };

        var error = Assert.Throws<OptionsValidationException>(() => BuildAndResolveOptions(settings));

        Assert.Equal([expected], error.Failures);
    }

    [Fact]
    public void Options_NonNumericSetting_FailsAtStart()
    {
        var settings = new Dictionary<string, string?> { ["ActionConnections:RateLimitRequests"] = "many" };

        var error = Assert.Throws<InvalidOperationException>(() => BuildAndResolveOptions(settings));

        Assert.Contains("'many' at 'ActionConnections:RateLimitRequests'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ValidBootstrapKeys_PassValidation()
    {
        var options = BuildAndResolveOptions(new()
        {
            ["ActionConnections:BootstrapApiKey"] = ValidApiKey,
            ["ActionConnections:BootstrapAppKey"] = ValidAppKey,
        });

        Assert.Equal(ValidApiKey, options.BootstrapApiKey);
        Assert.Equal(ValidAppKey, options.BootstrapAppKey);
    }

    /// <summary>
    /// Builds the server and resolves its settings, as start-up does. A bad setting may surface
    /// in either step (Kestrel's limits are read from the validated settings while building).
    /// </summary>
    internal static ServerOptions BuildAndResolveOptions(Dictionary<string, string?> settings)
    {
        using var app = Build(settings);
        return app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
    }

    /// <summary>Builds (does not start) the server over a data directory nothing will create.</summary>
    internal static WebApplication Build(Dictionary<string, string?> settings)
    {
        settings.TryAdd("ActionConnections:DataDir", Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N")));
        return Program.BuildServer([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
        });
    }
}

/// <summary>Runs alone: it changes the process environment, which every server built meanwhile would read.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = "Process environment";
}

[Collection(ProcessEnvironment.Name)]
public sealed class EnvironmentSettingsTests
{
    [Fact]
    public void Build_UnknownActionConnectionsVariable_ThrowsStartupExceptionNamingIt()
    {
        using var variable = new EnvironmentVariable("ACTIONCONNECTIONS_RATE_LIMIT", "10");

        var error = Assert.Throws<StartupException>(() => StartupSettingsTests.Build([]));

        Assert.StartsWith("Unknown setting ACTIONCONNECTIONS_RATE_LIMIT. Known settings: ACTIONCONNECTIONS_AUTH_CACHE_SECONDS, ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_KnownVariable_SetsTheOption()
    {
        using var variable = new EnvironmentVariable("ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS", "17");

        var options = StartupSettingsTests.BuildAndResolveOptions([]);

        Assert.Equal(17, options.RateLimitRequests);
    }

    [Fact]
    public void Build_InvalidBootstrapKeyVariable_FailsValidationNamingTheVariable()
    {
        using var apiKey = new EnvironmentVariable("ACTIONCONNECTIONS_BOOTSTRAP_API_KEY", "not-a-key");
        using var appKey = new EnvironmentVariable("ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY", "0123456789abcdef0123456789abcdef01234567");

        var error = Assert.Throws<OptionsValidationException>(() => StartupSettingsTests.BuildAndResolveOptions([]));

        Assert.Equal(["ACTIONCONNECTIONS_BOOTSTRAP_API_KEY must be 32 lowercase hexadecimal characters."], error.Failures);
    }

    /// <summary>Sets a variable for one test and always removes it again.</summary>
    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string _name;

        public EnvironmentVariable(string name, string value)
        {
            Assert.Null(Environment.GetEnvironmentVariable(name));
            _name = name;
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(_name, null);
    }
}
