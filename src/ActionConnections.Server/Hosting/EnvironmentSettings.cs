using System.Collections;
using ActionConnections.Cloud;
using ActionConnections.Connections;
using ActionConnections.Egress;
using ActionConnections.Gateway;
using ActionConnections.Http;
using ActionConnections.HttpRequests;
using ActionConnections.Observability;
using ActionConnections.Overload;
using ActionConnections.Resolve;
using ActionConnections.Secrets;
using ActionConnections.Settings;
using ActionConnections.Storage;
using ActionConnections.WebConsole;
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

    /// <summary>
    /// Every feature's variables (variable → property of its options, all in the one section),
    /// as each declares them next to its options class.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Names = Collect(
        StorageOptions.EnvironmentVariables,
        SecretsOptions.EnvironmentVariables,
        BootstrapOptions.EnvironmentVariables,
        HttpLimitsOptions.EnvironmentVariables,
        OverloadOptions.EnvironmentVariables,
        GatewayOptions.EnvironmentVariables,
        ConnectionsOptions.EnvironmentVariables,
        EgressOptions.EnvironmentVariables,
        HttpRequestsOptions.EnvironmentVariables,
        CloudOptions.EnvironmentVariables,
        ResolveOptions.EnvironmentVariables,
        ConsoleOptions.EnvironmentVariables,
        ObservabilityOptions.EnvironmentVariables);

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
                values[$"{FeatureOptions.Section}:{key}"] = (string?)entry.Value;
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

    /// <summary>One dictionary; a variable declared by two features is a programming error, caught by the first start (and a test).</summary>
    private static Dictionary<string, string> Collect(params IReadOnlyDictionary<string, string>[] features)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (variable, property) in features.SelectMany(f => f))
        {
            if (!names.TryAdd(variable, property))
            {
                throw new InvalidOperationException($"{variable} is declared by two features.");
            }
        }

        return names;
    }
}
