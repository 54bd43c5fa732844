using ActionConnections.Hosting;
using ActionConnections.Settings;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A server process (<see cref="ServerProcess"/>) set up to mint cloud credentials against fakes:
/// its whole trust store is <see cref="TestCertificateAuthority"/> (<c>SSL_CERT_FILE</c>), its own
/// AWS identity is a known test key pair in the environment (the SDK's default chain), instance
/// metadata and profile files are off, and every provider endpoint points at a loopback fake or a
/// closed loopback port. Over the test's <see cref="TestStore"/> (SQLite or PostgreSQL).
/// </summary>
internal sealed class CloudServer : IAsyncDisposable
{
    /// <summary>The server's own AWS identity, as the SDK's default chain finds it in the environment.</summary>
    public const string ServerAccessKeyId = "AKIDSERVERTEST000001";

    public const string ServerSecretAccessKey = "server-secret-key/for+tests0000000000000";

    /// <summary>Nothing listens there: what is not faked cannot go anywhere.</summary>
    public const string Nowhere = "https://127.0.0.1:9";

    private readonly TestStore _store;

    private CloudServer(ServerProcess process, TestStore store)
    {
        Process = process;
        _store = store;
    }

    public ServerProcess Process { get; }

    public HttpClient Client => Process.Client;

    public TestStore Store => _store;

    public string Output => Process.Output;

    public static async Task<CloudServer> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var store = TestStore.Create();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SSL_CERT_FILE"] = TestCertificateAuthority.CaFile,
            ["SSL_CERT_DIR"] = Path.GetDirectoryName(TestCertificateAuthority.CaFile)!,
            ["AWS_ACCESS_KEY_ID"] = ServerAccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = ServerSecretAccessKey,
            ["AWS_SESSION_TOKEN"] = string.Empty,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials",
            ["AWS_CONFIG_FILE"] = "/nonexistent/aws-config",
            ["AWS_PROFILE"] = string.Empty,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = string.Empty,
            ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = string.Empty,
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = string.Empty,
            // The fakes listen on loopback, which the egress policy refuses unless allowed.
            ["ACTIONCONNECTIONS_EGRESS_ALLOW"] = "127.0.0.1",
            ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = Nowhere,
            ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = Nowhere,
            ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = Nowhere + "/token",
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
        };
        foreach (var (key, value) in store.Settings)
        {
            var name = EnvironmentSettings.Names.First(n => $"{FeatureOptions.Section}:{n.Value}" == key).Key;
            environment[name] = value!;
        }

        if (TestStore.IsPostgres)
        {
            environment["ACTIONCONNECTIONS_DB_MIGRATE_ON_START"] = "true";
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        try
        {
            var process = await ServerProcess.StartAsync(store.DataDir, ServerKeys.New(), environment);
            var server = new CloudServer(process, store);
            var keys = await server.Client.GetJsonAsync("/api/v2/current_user/application_keys");
            var appKeyId = keys.Json.GetProperty("data")[0].GetProperty("id").GetString();
            var registered = await server.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{appKeyId}");
            Assert.True(registered.Status == 201, registered.ToString());
            return server;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        await _store.DisposeAsync();
    }
}
