using System.Collections;
using ActionConnections.Observability;
using Microsoft.Extensions.Configuration.Memory;

namespace ActionConnections.Hosting;

/// <summary>
/// Maps the documented <c>ACTIONCONNECTIONS_*</c> environment variables onto the configuration
/// section. An unknown <c>ACTIONCONNECTIONS_*</c> name is a start-up error: a typo in a setting
/// must not silently fall back to a default.
/// </summary>
internal static class EnvironmentSettings
{
    /// <summary>
    /// Reserved for the test suite (e.g. <c>ACTIONCONNECTIONS_TEST_POSTGRES</c>), which runs
    /// servers in its own process: never a setting of the server, so neither read nor refused.
    /// </summary>
    public const string TestSuitePrefix = "ACTIONCONNECTIONS_TEST_";

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_DATA_DIR"] = nameof(ServerOptions.DataDir),
        ["ACTIONCONNECTIONS_DB_PROVIDER"] = nameof(ServerOptions.DbProvider),
        ["ACTIONCONNECTIONS_DB_CONNECTION"] = nameof(ServerOptions.DbConnection),
        ["ACTIONCONNECTIONS_DB_MIGRATE_ON_START"] = nameof(ServerOptions.DbMigrateOnStart),
        ["ACTIONCONNECTIONS_BOOTSTRAP_API_KEY"] = nameof(ServerOptions.BootstrapApiKey),
        ["ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY"] = nameof(ServerOptions.BootstrapAppKey),
        ["ACTIONCONNECTIONS_BOOTSTRAP_KEYS_FILE"] = nameof(ServerOptions.BootstrapKeysFile),
        ["ACTIONCONNECTIONS_MASTER_KEY"] = nameof(ServerOptions.MasterKey),
        ["ACTIONCONNECTIONS_MASTER_KEY_FILE"] = nameof(ServerOptions.MasterKeyFile),
        ["ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS"] = nameof(ServerOptions.PreviousMasterKeys),
        ["ACTIONCONNECTIONS_AWS_PRINCIPAL_ID"] = nameof(ServerOptions.AwsPrincipalId),
        ["ACTIONCONNECTIONS_AWS_REGION"] = nameof(ServerOptions.AwsRegion),
        ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = nameof(ServerOptions.AwsStsEndpoint),
        ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = nameof(ServerOptions.AzureAuthority),
        ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = nameof(ServerOptions.GcpTokenUri),
        ["ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS"] = nameof(ServerOptions.CloudTimeoutSeconds),
        ["ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS"] = nameof(ServerOptions.RateLimitRequests),
        ["ACTIONCONNECTIONS_RATE_LIMIT_PERIOD_SECONDS"] = nameof(ServerOptions.RateLimitPeriodSeconds),
        ["ACTIONCONNECTIONS_AUTH_FAILURE_LIMIT"] = nameof(ServerOptions.AuthFailureLimit),
        ["ACTIONCONNECTIONS_AUTH_CACHE_SECONDS"] = nameof(ServerOptions.AuthCacheSeconds),
        ["ACTIONCONNECTIONS_MAX_BODY_BYTES"] = nameof(ServerOptions.MaxRequestBodyBytes),
        ["ACTIONCONNECTIONS_MAX_CONCURRENT_REQUESTS"] = nameof(Overload.OverloadOptions.MaxConcurrentRequests),
        ["ACTIONCONNECTIONS_REQUEST_QUEUE_LIMIT"] = nameof(Overload.OverloadOptions.RequestQueueLimit),
        ["ACTIONCONNECTIONS_EGRESS_ALLOW"] = nameof(ServerOptions.EgressAllow),
        ["ACTIONCONNECTIONS_EGRESS_DENY"] = nameof(ServerOptions.EgressDeny),
        ["ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES"] = nameof(ServerOptions.HttpResponseMaxBytes),
        ["ACTIONCONNECTIONS_INTEGRATION_API_BASES"] = nameof(ServerOptions.IntegrationApiBases),
        ["ACTIONCONNECTIONS_CONSOLE_IDLE_TIMEOUT_MINUTES"] = nameof(ServerOptions.ConsoleIdleTimeoutMinutes),
        ["ACTIONCONNECTIONS_CONSOLE_ABSOLUTE_TIMEOUT_MINUTES"] = nameof(ServerOptions.ConsoleAbsoluteTimeoutMinutes),

        // Observability and shutdown (Observability/ObservabilityOptions.cs), same section.
        ["ACTIONCONNECTIONS_METRICS"] = nameof(ObservabilityOptions.Metrics),
        ["ACTIONCONNECTIONS_METRICS_PORT"] = nameof(ObservabilityOptions.MetricsPort),
        ["ACTIONCONNECTIONS_METRICS_STORED_REFRESH_SECONDS"] = nameof(ObservabilityOptions.MetricsStoredRefreshSeconds),
        ["ACTIONCONNECTIONS_LOG_FORMAT"] = nameof(ObservabilityOptions.LogFormat),
        ["ACTIONCONNECTIONS_SHUTDOWN_DELAY_SECONDS"] = nameof(ObservabilityOptions.ShutdownDelaySeconds),
        ["ACTIONCONNECTIONS_SHUTDOWN_DRAIN_SECONDS"] = nameof(ObservabilityOptions.ShutdownDrainSeconds),
        ["ACTIONCONNECTIONS_RESOLVE_ENABLED"] = nameof(ServerOptions.ResolveEnabled),
    };

    public static IConfigurationBuilder AddActionConnectionsEnvironment(this IConfigurationBuilder builder)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!name.StartsWith("ACTIONCONNECTIONS_", StringComparison.Ordinal) || name.StartsWith(TestSuitePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (Names.TryGetValue(name, out var key))
            {
                values[$"{ServerOptions.Section}:{key}"] = (string?)entry.Value;
            }
            else
            {
                unknown.Add(name);
            }
        }

        if (unknown.Count > 0)
        {
            throw new StartupException(
                $"Unknown setting {string.Join(", ", unknown.Order(StringComparer.Ordinal))}. Known settings: {string.Join(", ", Names.Keys.Order(StringComparer.Ordinal))}.");
        }

        builder.Add(new MemoryConfigurationSource { InitialData = values });
        return builder;
    }
}

/// <summary>A configuration or environment problem reported to the operator as one clear line.</summary>
internal sealed class StartupException(string message) : Exception(message);
