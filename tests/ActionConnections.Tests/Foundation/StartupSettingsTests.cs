using ActionConnections.Gateway;
using ActionConnections.Hosting;
using ActionConnections.Settings;
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

        Assert.Equal([expected], Failures(settings));
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
    [InlineData("DataDir", " ", "ACTIONCONNECTIONS_DATA_DIR must not be empty.")]
    [InlineData("AuthCacheSeconds", "61", "ACTIONCONNECTIONS_AUTH_CACHE_SECONDS must be between 0 and 60.")]
    [InlineData("ConsoleIdleTimeoutMinutes", "0", "ACTIONCONNECTIONS_CONSOLE_IDLE_TIMEOUT_MINUTES must be between 1 and 1440.")]
    [InlineData("ConsoleAbsoluteTimeoutMinutes", "10", "ACTIONCONNECTIONS_CONSOLE_ABSOLUTE_TIMEOUT_MINUTES must be between the idle timeout and 10080 (a week).")]
    [InlineData("Metrics", "statsd", "ACTIONCONNECTIONS_METRICS 'statsd' is not supported; allowed values: 'off', 'prometheus'.")]
    public void Options_OutOfRangeSetting_FailsValidation(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [$"ActionConnections:{setting}"] = value };

        var error = Assert.Throws<InvalidSettingsException>(() => BuildAndValidate(settings));

        Assert.Equal([expected], error.Failures);
    }

    /// <summary>
    /// One setting of each feature wrong at once: every problem is reported together (each
    /// feature's options validate on their own), not only the first feature's.
    /// </summary>
    [Fact]
    public void Options_ProblemsInSeveralFeatures_AreAllReportedAtOnce()
    {
        var error = Assert.Throws<InvalidSettingsException>(() => BuildAndValidate(new()
        {
            ["ActionConnections:DataDir"] = " ",
            ["ActionConnections:DbProvider"] = "postgres",
            ["ActionConnections:DbConnection"] = "Host=db",
            ["ActionConnections:BootstrapApiKey"] = "no",
            ["ActionConnections:BootstrapAppKey"] = ValidAppKey,
            ["ActionConnections:MaxRequestBodyBytes"] = "1",
            ["ActionConnections:RateLimitRequests"] = "0",
            ["ActionConnections:AwsPrincipalId"] = "1",
            ["ActionConnections:EgressDeny"] = "not a host",
            ["ActionConnections:HttpResponseMaxBytes"] = "1",
            ["ActionConnections:CloudTimeoutSeconds"] = "0",
            ["ActionConnections:ConsoleIdleTimeoutMinutes"] = "0",
            ["ActionConnections:LogFormat"] = "xml",
        }));

        string[] expected =
        [
            "ACTIONCONNECTIONS_AWS_PRINCIPAL_ID",
            "ACTIONCONNECTIONS_BOOTSTRAP_API_KEY",
            "ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS",
            "ACTIONCONNECTIONS_CONSOLE_IDLE_TIMEOUT_MINUTES",
            "ACTIONCONNECTIONS_DATA_DIR",
            "ACTIONCONNECTIONS_EGRESS_DENY",
            "ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES",
            "ACTIONCONNECTIONS_LOG_FORMAT",
            "ACTIONCONNECTIONS_MASTER_KEY",
            "ACTIONCONNECTIONS_MAX_BODY_BYTES",
            "ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS",
        ];
        Assert.Equal(expected, error.Failures.Select(f => f.Split([' ', ':'], 2)[0]).Order(StringComparer.Ordinal));
        Assert.Equal(error.Failures, error.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void Options_NonNumericSetting_FailsAtStart()
    {
        var settings = new Dictionary<string, string?> { ["ActionConnections:RateLimitRequests"] = "many" };

        var error = Assert.Throws<InvalidOperationException>(() => BuildAndValidate(settings));

        Assert.Contains("'many' at 'ActionConnections:RateLimitRequests'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ValidBootstrapKeys_PassValidation()
    {
        var options = BuildAndResolveOptions<BootstrapOptions>(new()
        {
            ["ActionConnections:BootstrapApiKey"] = ValidApiKey,
            ["ActionConnections:BootstrapAppKey"] = ValidAppKey,
        });

        Assert.Equal(ValidApiKey, options.BootstrapApiKey);
        Assert.Equal(ValidAppKey, options.BootstrapAppKey);
    }

    /// <summary>
    /// Each feature declares its variables next to its options class; the composition root must
    /// collect every one of them (else the variable would be refused as unknown), each naming a
    /// settable property of its class.
    /// </summary>
    [Fact]
    public void EnvironmentVariables_OfEveryFeatureOptionsClass_AreCollectedAndNameItsProperties()
    {
        var declaring = typeof(FeatureOptions).Assembly.GetTypes()
            .Select(t => (Type: t, Field: t.GetField("EnvironmentVariables", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)))
            .Where(x => x.Field?.FieldType == typeof(IReadOnlyDictionary<string, string>))
            .ToList();
        Assert.True(declaring.Count >= 12, $"only {declaring.Count} options classes declare variables");

        var collected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (type, field) in declaring)
        {
            foreach (var (variable, property) in (IReadOnlyDictionary<string, string>)field!.GetValue(null)!)
            {
                Assert.True(type.GetProperty(property)?.CanWrite == true, $"{type.Name} has no settable {property} for {variable}");
                collected.Add(variable, property);
            }
        }

        Assert.Equal(collected.OrderBy(p => p.Key, StringComparer.Ordinal), EnvironmentSettings.Names.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    /// <summary>
    /// Builds the server and resolves its settings, as start-up does. A bad setting may surface
    /// in either step (Kestrel's limits are read from the validated settings while building).
    /// </summary>
    internal static TOptions BuildAndResolveOptions<TOptions>(Dictionary<string, string?> settings)
        where TOptions : class
    {
        using var app = Build(settings);
        return app.Services.GetRequiredService<IOptions<TOptions>>().Value;
    }

    /// <summary>Builds the server, which checks every feature's settings first (as <c>serve</c> and the CLI do).</summary>
    internal static void BuildAndValidate(Dictionary<string, string?> settings)
    {
        using var app = Build(settings);
    }

    /// <summary>Every problem of every feature's settings (none: empty).</summary>
    internal static IReadOnlyList<string> Failures(Dictionary<string, string?> settings)
    {
        settings.TryAdd("ActionConnections:DataDir", Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N")));
        return FeatureOptions.Failures(Program.AddFeatures([], builder => builder.Configuration.AddInMemoryCollection(settings)));
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

        var options = StartupSettingsTests.BuildAndResolveOptions<GatewayOptions>([]);

        Assert.Equal(17, options.RateLimitRequests);
    }

    [Fact]
    public void Build_InvalidBootstrapKeyVariable_FailsValidationNamingTheVariable()
    {
        using var apiKey = new EnvironmentVariable("ACTIONCONNECTIONS_BOOTSTRAP_API_KEY", "not-a-key");
        using var appKey = new EnvironmentVariable("ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY", "0123456789abcdef0123456789abcdef01234567");

        var error = Assert.Throws<InvalidSettingsException>(() => StartupSettingsTests.BuildAndValidate([]));

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
