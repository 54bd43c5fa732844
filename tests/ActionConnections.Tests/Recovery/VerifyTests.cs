using System.Security.Cryptography;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Recovery;

/// <summary><c>store verify</c> on either provider: passes on a sound store, fails naming the connections a wrong master key cannot open.</summary>
public sealed class VerifyTests
{
    [Fact]
    public async Task Verify_RightKeyPasses_WrongKeyFailsNamingTheAffectedConnections()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var openAi = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-verify"}}""", "with a secret");
        var http = await app.Client.CreateAsync("""{"type":"HTTP","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"t","type":"SECRET","value":"v"}]},"base_url":"https://example.com"}""", "http with a token");
        var aws = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "no secret");
        var other = await app.CreateTenantAsync();
        await other.Client.CreateAsync("""{"type":"Notion","credentials":{"type":"NotionAPIKey","api_token":"secret_x"}}""", "other org");

        var good = await CliHarness.RunWithSettingsAsync(app.Store.Settings, "--data-dir", app.DataDir, "store", "verify", "--json");
        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.True(good.Json.GetProperty("ok").GetBoolean());
        Assert.Equal(4, good.Json.GetProperty("secrets").GetProperty("connections").GetInt64());
        var counts = good.Json.GetProperty("organizations").EnumerateArray().ToDictionary(o => o.GetProperty("id").GetGuid(), o => o.GetProperty("connections").GetInt64());
        Assert.Equal(3, counts[app.OrgId]);
        Assert.Equal(1, counts[other.OrgId]);

        var text = await CliHarness.RunWithSettingsAsync(app.Store.Settings, "--data-dir", app.DataDir, "store", "verify");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("schema:     version", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("all decrypt", text.Stdout, StringComparison.Ordinal);

        var wrongKey = new Dictionary<string, string?>(app.Store.Settings) { ["ActionConnections:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var bad = await CliHarness.RunWithSettingsAsync(wrongKey, "--data-dir", app.DataDir, "store", "verify");

        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("verification failed", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("3 connection(s) do not decrypt", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains(openAi, bad.Stderr, StringComparison.Ordinal);
        Assert.Contains(http, bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(aws, bad.Stderr, StringComparison.Ordinal);
        Assert.Contains($"connection {openAi} (org {app.OrgId}, \"with a secret\") field api_token: Master key", bad.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-verify", bad.Stdout + bad.Stderr, StringComparison.Ordinal);
    }
}
