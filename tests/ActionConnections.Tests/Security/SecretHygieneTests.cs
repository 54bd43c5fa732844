using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using ActionConnections.Storage;
using ActionConnections.Tests.Connections;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Secrets and keys stay where they belong: canary secrets of every credential type never show
/// in logs (any level, request and exception logs included), audit events, error bodies or the
/// database files; keys never show in logs, the audit trail, the database or the server's
/// command line; everything the service writes to disk is readable by its owner only.
/// </summary>
public sealed class SecretHygieneTests
{
    private const string Canary = "CANARY";
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task CanarySecrets_OfEveryCredentialType_NeverReachLogsAuditEventsErrorBodiesOrDataFiles()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var errorBodies = new List<string>();
        foreach (var sample in CredentialSamples.List)
        {
            var id = await app.Client.CreateAsync(sample.FullIntegration, $"hygiene {sample.CredentialType}");
            Assert.Equal(200, (await app.Client.GetJsonAsync($"{Connections}/{id}")).Status);
            var updated = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$"""{"integration":{{sample.UpdateIntegration}}}"""));
            Assert.True(updated.Status == 200, updated.ToString());

            // The secrets stand next to the errors in each of these bodies.
            var full = JsonNode.Parse(sample.FullIntegration)!.ToJsonString();
            foreach (var (method, path, body) in new[]
            {
                (HttpMethod.Post, Connections, ConnectionBodies.Create(full).Replace("\"name\":", "\"tags\":[\"no-colon\"],\"name\":", StringComparison.Ordinal)),
                (HttpMethod.Post, Connections, ConnectionBodies.Create(full, name: "")),
                (HttpMethod.Post, Connections, ConnectionBodies.Create(full).Replace("action_connection", "connection", StringComparison.Ordinal)),
                (HttpMethod.Post, Connections, ConnectionBodies.Create(full) + "}"),
                (HttpMethod.Post, Connections, ConnectionBodies.Create(full)[..^20]),
                (HttpMethod.Post, Connections, ConnectionBodies.Create(full, name: "\\ud800")),
                (HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$"""{"tags":["default:x"],"integration":{{full}}}""")),
                (HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$"""{"name":" ","integration":{{full}}}""")),
                (HttpMethod.Patch, $"{Connections}/not-a-uuid", ConnectionBodies.Update($$"""{"integration":{{full}}}""")),
            })
            {
                var response = await app.Client.SendJsonAsync(method, path, body);
                Assert.True(response.Status == 400, $"{sample.CredentialType} {method} {path}: {response}");
                errorBodies.Add(response.Body);
            }

            Assert.Equal(415, (await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(full), "text/plain")).Status);
        }

        // An exception while handling a request that carries a secret: the stored row is made
        // unreadable, then read (GET) and updated with a new secret (PATCH). Both are 500s.
        var broken = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY-before-fault"}}""");
        await ExecuteAsync(app, """UPDATE connections SET integration = '{"type":"OpenAI","credentials":' WHERE id = @id;""", broken);
        var faultyGet = await app.Client.GetJsonAsync($"{Connections}/{broken}");
        var faultyPatch = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{broken}", ConnectionBodies.Update("""{"integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY-during-fault"}}}"""));
        Assert.Equal(500, faultyGet.Status);
        Assert.Equal(500, faultyPatch.Status);
        Assert.Contains("Unhandled System.Text.Json.JsonException", app.Logs.All, StringComparison.Ordinal);
        errorBodies.Add(faultyPatch.Body);

        var audit = await AllAuditEventsAsync(app);
        Assert.Contains("connection.update", audit, StringComparison.Ordinal);
        Assert.All(errorBodies, body => Assert.DoesNotContain(Canary, body, StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("before-fault", app.Logs.All, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Trace", StringComparison.Ordinal) || line.StartsWith("Debug", StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, await app.Store.ReadStoredTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_CreatedOrUsed_NeverReachLogsAuditEventsOrDataFiles()
    {
        await using var app = await TestApp.StartAsync();
        var apiKey = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/api_keys", """{"data":{"type":"api_keys","attributes":{"name":"ci"}}}""");
        var appKey = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/current_user/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"bot"}}}""");
        var newApiKey = apiKey.Json.GetProperty("data").GetProperty("attributes").GetProperty("key").GetString()!;
        var newAppKey = appKey.Json.GetProperty("data").GetProperty("attributes").GetProperty("key").GetString()!;
        using var newClient = app.CreateClient(newApiKey, newAppKey);
        using var halfWrong = app.CreateClient(newApiKey, "0000000000000000000000000000000000000000");
        Assert.Equal(200, (await newClient.GetJsonAsync("/api/v2/api_keys")).Status);
        Assert.Equal(403, (await halfWrong.GetJsonAsync("/api/v2/api_keys")).Status);
        Assert.Equal(204, (await app.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/api_keys/{apiKey.Json.GetProperty("data").GetProperty("id").GetString()}")).Status);
        Assert.Equal(403, (await newClient.GetJsonAsync("/api/v2/api_keys")).Status);

        var audit = await AllAuditEventsAsync(app);
        var stored = await app.Store.ReadStoredTextAsync();
        Assert.Contains("authentication.failure", audit, StringComparison.Ordinal);
        foreach (var key in new[] { newApiKey, newAppKey, TestApp.ApiKey, TestApp.AppKey })
        {
            Assert.DoesNotContain(key, audit, StringComparison.Ordinal);
            Assert.DoesNotContain(key, app.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(key, stored, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    [Trait("Provider", "SQLite")]
    [UnsupportedOSPlatform("windows")]
    public async Task ServerProcess_KeysInTheEnvironment_NeverAppearInItsCommandLineOrOutput()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N"));
        var keys = ServerKeys.New();
        try
        {
            await using var server = await ServerProcess.StartAsync(dataDir, keys);
            var commandLine = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{server.Id}/cmdline")).Replace('\0', ' ');

            Assert.Contains("ActionConnections.Server.dll serve --urls", commandLine, StringComparison.Ordinal);
            Assert.DoesNotContain(keys.ApiKey, commandLine, StringComparison.Ordinal);
            Assert.DoesNotContain(keys.AppKey, commandLine, StringComparison.Ordinal);
            Assert.Contains("organisation id:", server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(keys.ApiKey, server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(keys.AppKey, server.Output, StringComparison.Ordinal);
            AssertOwnerOnly(dataDir);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>
    /// Modes of what a real server process (with the umask it inherits) writes: while it runs
    /// (database, write-ahead log, shared-memory index, generated master key, start-up lock),
    /// after SIGKILL leaves the log behind, and after a restart over those files.
    /// </summary>
    [Fact]
    [Trait("Provider", "SQLite")]
    [UnsupportedOSPlatform("windows")]
    public async Task DataDirectory_OfAServerProcess_IsOwnerOnlyWhileRunningAfterAKillAndAfterARestart()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N"));
        var keys = ServerKeys.New();
        try
        {
            await using (var server = await ServerProcess.StartAsync(dataDir, keys))
            {
                var appKeyId = server.Output.Split('\n').Single(l => l.Contains("application key id:", StringComparison.Ordinal)).Split(':')[1].Trim();
                Assert.Equal(201, (int)(await server.Client.PutAsync($"/api/v2/actions/app_key_registrations/{appKeyId}", null)).StatusCode);
                using var created = await server.Client.PostAsync(Connections, new StringContent(ConnectionBodies.Create(ConnectionBodies.AwsIntegration), Encoding.UTF8, "application/json"));
                Assert.Equal(201, (int)created.StatusCode);

                Assert.Equal([SqliteDatabase.FileName, SqliteDatabase.FileName + "-shm", SqliteDatabase.FileName + "-wal", "master.key", "startup.lock"], Directory.GetFiles(dataDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
                AssertOwnerOnly(dataDir);
                await server.KillAsync();
                AssertOwnerOnly(dataDir);
            }

            await using (var restarted = await ServerProcess.StartAsync(dataDir, keys))
            {
                Assert.Equal(200, (int)(await restarted.Client.GetAsync(Connections)).StatusCode);
                AssertOwnerOnly(dataDir);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>The directory is 0700 and every file and directory in it 0600 / 0700, whatever the umask.</summary>
    [UnsupportedOSPlatform("windows")]
    private static void AssertOwnerOnly(string dataDir)
    {
        const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(dataDir));
        foreach (var directory in Directory.GetDirectories(dataDir, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.GetUnixFileMode(directory) == OwnerOnlyDirectory, $"{directory}: {File.GetUnixFileMode(directory)}");
        }

        var files = Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            Assert.True(File.GetUnixFileMode(file) == OwnerOnlyFile, $"{Path.GetFileName(file)}: {File.GetUnixFileMode(file)}");
        }
    }

    private static async Task<string> AllAuditEventsAsync(TestApp app)
    {
        var all = new StringBuilder();
        for (var page = 0; ; page++)
        {
            var response = await app.Client.GetJsonAsync($"/api/v2/actionconnections/audit_events?page[size]=1000&page[number]={page}");
            Assert.Equal(200, response.Status);
            all.AppendLine(response.Body);
            if (response.Json.GetProperty("data").GetArrayLength() < 1000)
            {
                return all.ToString();
            }
        }
    }

    /// <summary>Puts the store into a state no code path writes, to reach the unhandled-exception path.</summary>
    private static async Task ExecuteAsync(TestApp app, string sql, string id)
    {
        await using var connection = await app.Service<IDatabase>().OpenAsync(CancellationToken.None);
        await using var command = connection.Command(sql).With("@id", Guid.Parse(id));
        await command.ExecuteNonQueryAsync();
    }
}
