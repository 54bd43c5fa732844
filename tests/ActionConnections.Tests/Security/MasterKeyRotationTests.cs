using ActionConnections.Connections;
using ActionConnections.Secrets;
using ActionConnections.Settings;
using ActionConnections.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Master-key rotation: a new key becomes active, every secret is re-encrypted online while the
/// service reads and writes, old keys are retired only once unused, and the service refuses to
/// start without a key that stored secrets need.
/// </summary>
public sealed class MasterKeyRotationTests : IDisposable
{
    private readonly TestStore _store = TestStore.Create();
    private readonly Dictionary<string, string?> _settings;

    /// <summary>Keys from a key file in the data directory, on either provider (the file is what add-key and retire-keys edit).</summary>
    public MasterKeyRotationTests()
    {
        Directory.CreateDirectory(_store.DataDir);
        MasterKeyLoader.WriteFile(KeyFile, [new MasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))]);
        _settings = new Dictionary<string, string?>(_store.Settings)
        {
            ["ActionConnections:MasterKey"] = null,
            ["ActionConnections:MasterKeyFile"] = KeyFile,
        };
    }

    [Fact]
    public async Task Rotate_UnderConcurrentReadsAndWrites_ReencryptsEverySecretAndLosesNoWrite()
    {
        var (orgId, ids) = await SeedAsync(count: 40);
        var oldKey = (await Cli("secrets", "status")).Stdout;
        var added = await Cli("secrets", "add-key");
        Assert.Equal(0, added.ExitCode);

        await using var app = await TestApp.StartAsync(_settings, store: _store);
        var activeKey = app.Services.GetRequiredService<ISecretProtector>().ActiveKeyId;
        Assert.DoesNotContain(activeKey, oldKey, StringComparison.Ordinal);
        using var load = new CancellationTokenSource();
        var loadErrors = new List<string>();
        var renames = 0;
        var traffic = Task.Run(async () =>
        {
            var i = 0;
            while (!load.IsCancellationRequested)
            {
                var id = ids[i++ % ids.Count];
                var get = await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
                var patch = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update($$$"""{"name":"renamed {{{i}}}"}"""));
                if (get.Status != 200 || patch.Status != 200)
                {
                    lock (loadErrors)
                    {
                        loadErrors.Add($"{get.Status} {patch.Status} {patch.Body}");
                    }
                }
                else
                {
                    Interlocked.Increment(ref renames);
                }
            }
        });

        var rotated = await Cli("secrets", "rotate");
        await Task.Delay(200);
        await load.CancelAsync();
        await traffic;

        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        Assert.Contains("rotating [##############################] 100%", rotated.Stderr, StringComparison.Ordinal);
        Assert.Empty(loadErrors);
        Assert.True(renames > 0);
        var store = app.Services.GetRequiredService<IConnectionStore>();
        Assert.Equal([activeKey], await store.KeyIdsInUseAsync(CancellationToken.None));
        var protector = app.Services.GetRequiredService<ISecretProtector>();
        foreach (var id in ids)
        {
            var record = await store.FindAsync(orgId, Guid.Parse(id), CancellationToken.None);
            Assert.NotNull(record);
            Assert.Equal($"sk-CANARY-{id}", protector.Unprotect(record.SealedSecrets["api_token"], new SecretContext(orgId, record.Id, "api_token")));
            Assert.StartsWith($"v1.{activeKey}.", record.SealedSecrets["api_token"], StringComparison.Ordinal);
        }

        var status = await Cli("secrets", "status");
        Assert.Contains("left to rotate:   0 connection(s)", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetireKeys_AfterRotation_RemovesOnlyUnusedKeys()
    {
        await SeedAsync(count: 3);
        await Cli("secrets", "add-key");

        var early = await Cli("secrets", "retire-keys");
        Assert.Equal("No key to retire.", early.Stdout.Trim());
        Assert.Equal(2, MasterKeyLoader.ReadFile(KeyFile).Count);

        Assert.Equal(0, (await Cli("secrets", "rotate")).ExitCode);
        var retired = await Cli("secrets", "retire-keys");

        Assert.StartsWith("Retired ", retired.Stdout, StringComparison.Ordinal);
        Assert.Single(MasterKeyLoader.ReadFile(KeyFile));
        await using var app = await TestApp.StartAsync(_settings, store: _store);
        Assert.Equal(200, (await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
    }

    [Fact]
    public async Task Rotate_Interrupted_ResumesWhereItStopped()
    {
        var (_, ids) = await SeedAsync(count: 10);
        await Cli("secrets", "add-key");
        await using (var app = await TestApp.StartAsync(_settings, store: _store))
        {
            // Half of the work done by the service itself (as an interrupted rotation would leave it).
            var connections = app.Services.GetRequiredService<ConnectionService>();
            var store = app.Services.GetRequiredService<IConnectionStore>();
            var half = await store.ListNotUnderKeyAsync(app.Services.GetRequiredService<ISecretProtector>().ActiveKeyId, ids.Count / 2, CancellationToken.None);
            foreach (var (org, id) in half)
            {
                Assert.True(await connections.ResealAsync(org, id, CancellationToken.None));
            }
        }

        var resumed = await Cli("secrets", "rotate");

        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"Re-encrypted {ids.Count - (ids.Count / 2)} connection(s)", resumed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutAKeyStoredSecretsNeed_RefusesToStart()
    {
        await SeedAsync(count: 1);
        var needed = MasterKeyLoader.ReadFile(KeyFile)[0].Id;
        MasterKeyLoader.WriteFile(KeyFile, [new MasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))]);

        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(_settings, store: _store));

        Assert.Contains(needed, error.Message, StringComparison.Ordinal);
        Assert.Contains("not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_AfterNewActiveKey_ResealsKeptSecretsUnderIt()
    {
        var (orgId, ids) = await SeedAsync(count: 1);
        await Cli("secrets", "add-key");
        await using var app = await TestApp.StartAsync(_settings, store: _store);

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{ids[0]}", ConnectionBodies.Update("""{"name":"only the name"}"""));

        Assert.Equal(200, response.Status);
        var record = await app.Services.GetRequiredService<IConnectionStore>().FindAsync(orgId, Guid.Parse(ids[0]), CancellationToken.None);
        Assert.Equal(app.Services.GetRequiredService<ISecretProtector>().ActiveKeyId, record!.KeyId);
        Assert.Equal($"sk-CANARY-{ids[0]}", app.Services.GetRequiredService<ISecretProtector>().Unprotect(record.SealedSecrets["api_token"], new SecretContext(orgId, record.Id, "api_token")));
    }

    public void Dispose() => _store.Dispose();

    private string KeyFile => Path.Combine(_store.DataDir, MasterKeyLoader.DefaultFileName);

    private Task<CliResult> Cli(params string[] args) => CliHarness.RunWithSettingsAsync(_settings, ["--data-dir", _store.DataDir, .. args]);

    /// <summary>Connections whose secret names their id, created under the data directory's first key.</summary>
    private async Task<(Guid OrgId, List<string> Ids)> SeedAsync(int count)
    {
        await using var app = await TestApp.StartAsync(_settings, store: _store);
        await app.RegisterBootstrapKeyAsync();
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"placeholder"}}""", $"c{i}");
            var set = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("{\"integration\":{\"type\":\"OpenAI\",\"credentials\":{\"type\":\"OpenAIAPIKey\",\"api_token\":\"sk-CANARY-" + id + "\"}}}"));
            Assert.Equal(200, set.Status);
            ids.Add(id);
        }

        return (app.OrgId, ids);
    }
}
