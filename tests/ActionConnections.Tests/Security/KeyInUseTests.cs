using ActionConnections.Secrets;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>
/// A master key a running server still writes with cannot be retired, a rotation a running
/// server could not follow is refused, and a secret under a key added after a server started
/// never makes a PATCH answer 500 (issue 11, item 2; ADR 0012). Keys from a key file, on either provider.
/// </summary>
public sealed class KeyInUseTests : IDisposable
{
    private const string OpenAi = """{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY"}}""";

    private readonly TestStore _store = TestStore.Create();
    private readonly Dictionary<string, string?> _settings;

    public KeyInUseTests()
    {
        Directory.CreateDirectory(_store.DataDir);
        MasterKeyLoader.WriteFile(KeyFile, [new MasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))]);
        _settings = new Dictionary<string, string?>(_store.Settings)
        {
            ["ActionConnections:MasterKey"] = null,
            ["ActionConnections:MasterKeyFile"] = KeyFile,
        };
    }

    private string KeyFile => Path.Combine(_store.DataDir, MasterKeyLoader.DefaultFileName);

    [Fact]
    public async Task RetireKeys_KeyARunningServerWritesWith_RefusesNamingTheServerUntilItRestarts()
    {
        var app = await TestApp.StartAsync(_settings, store: _store);
        var writing = app.Service<ISecretProtector>().ActiveKeyId;
        Assert.Equal(0, (await Cli("secrets", "add-key")).ExitCode);

        var refused = await Cli("secrets", "retire-keys");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"master key(s) {writing} are still what running server(s) write new secrets under: {Environment.MachineName} pid {Environment.ProcessId}", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(writing, MasterKeyLoader.ReadFile(KeyFile).Select(k => k.Id));

        // The server keeps writing under its key, and every write stays readable after a restart.
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi);
        await app.DisposeAsync();
        await using var restarted = await TestApp.StartAsync(_settings, store: _store);
        Assert.NotEqual(writing, restarted.Service<ISecretProtector>().ActiveKeyId);
        Assert.Equal(200, (await restarted.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"after restart"}"""))).Status);
        Assert.Equal(0, (await Cli("secrets", "rotate")).ExitCode);
        var retired = await Cli("secrets", "retire-keys");
        Assert.True(retired.ExitCode == 0, retired.ToString());
        Assert.Equal($"Retired {writing}; kept {restarted.Service<ISecretProtector>().ActiveKeyId}.", retired.Stdout.Trim());
    }

    [Fact]
    public async Task Rotate_WhileARunningServerLacksTheNewKey_RefusesNamingTheServer()
    {
        await using var app = await TestApp.StartAsync(_settings, store: _store);
        Assert.Equal(0, (await Cli("secrets", "add-key")).ExitCode);
        var newKey = MasterKeyLoader.ReadFile(KeyFile)[0].Id;

        var refused = await Cli("secrets", "rotate");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"running server(s) do not have master key {newKey}, which 'rotate' would re-encrypt under: {Environment.MachineName} pid {Environment.ProcessId}", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_ConnectionSealedUnderAKeyAddedAfterThisServerStarted_Answers200()
    {
        await using var app = await TestApp.StartAsync(_settings, store: _store);
        await app.RegisterBootstrapKeyAsync();
        Assert.Equal(0, (await Cli("secrets", "add-key")).ExitCode);

        // A replica started after add-key writes under the new key.
        await using var replica = await app.StartReplicaAsync(_settings);
        var id = await replica.Client.CreateAsync(OpenAi);

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"renamed by the older server"}"""));

        Assert.Equal(200, response.Status);
        Assert.Equal("sk-CANARY", (await Connections.HttpTokenAuthUpdateTests.RevealAsync(replica, id))["api_token"]);
    }

    [Fact]
    public async Task Heartbeat_RunningServer_IsListedLiveWithItsKeysAndGoneAfterStop()
    {
        var app = await TestApp.StartAsync(_settings, store: _store);
        var instances = app.Service<ServerInstanceStore>();
        var live = Assert.Single(await instances.ListLiveAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(app.Service<ISecretProtector>().ActiveKeyId, live.ActiveKeyId);
        Assert.Equal(Environment.ProcessId, live.ProcessId);
        Assert.Empty(await instances.ListLiveAsync(DateTimeOffset.UtcNow + ServerInstanceStore.LiveFor + TimeSpan.FromSeconds(1), CancellationToken.None));

        await app.StopAsync();
        await using var other = await TestApp.StartAsync(_settings, store: _store);
        Assert.DoesNotContain(await other.Service<ServerInstanceStore>().ListLiveAsync(DateTimeOffset.UtcNow, CancellationToken.None), s => s.Id == live.Id);
        await app.DisposeAsync();
    }

    public void Dispose() => _store.Dispose();

    private Task<CliResult> Cli(params string[] args) => CliHarness.RunWithSettingsAsync(_settings, ["--data-dir", _store.DataDir, .. args]);
}
