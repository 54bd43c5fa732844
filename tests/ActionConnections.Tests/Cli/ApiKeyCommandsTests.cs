using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cli;

public sealed class ApiKeyCommandsTests
{
    [Fact]
    public async Task Create_NoCreatedBy_RecordsFirstAdminAndKeyAuthenticates()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var key = await cli.RunJsonAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "ci");

        Assert.Equal(org.AdminId, key.GetProperty("created_by").GetGuid());
        Assert.Equal("ci", key.GetProperty("name").GetString());
        var plaintext = key.GetProperty("key").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", plaintext);
        Assert.Equal(plaintext[^4..], key.GetProperty("last4").GetString());
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(plaintext, org.AppKey);
        Assert.Equal(200, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
    }

    [Fact]
    public async Task Create_WithCreatedBy_RecordsThatPrincipal()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var bob = (await cli.RunJsonAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob")).GetProperty("id").GetGuid();

        var key = await cli.RunJsonAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "ci", "--created-by", bob.ToString());

        Assert.Equal(bob, key.GetProperty("created_by").GetGuid());
    }

    [Fact]
    public async Task Create_UnknownCreatedBy_ExitsOneAndCreatesNothing()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "ci", "--created-by", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no user or service account", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, (await cli.RunJsonAsync("api-keys", "list", "--org", org.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Create_NoActiveAdmin_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        Assert.Equal(0, (await cli.RunAsync("users", "revoke", "--org", org.OrgId.ToString(), "--id", org.AdminId.ToString())).ExitCode);

        var result = await cli.RunAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "ci");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--created-by", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownOrg_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("api-keys", "create", "--org", Guid.NewGuid().ToString(), "--name", "ci");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no organisation", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task Create_Text_PrintsKeyOnce()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "ci");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"DD-API-KEY:\s+[0-9a-f]{32}", result.Stdout);
    }

    [Fact]
    public async Task List_Json_ShowsLast4ButNeverTheKey()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var created = await cli.RunJsonAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "ci");
        var plaintext = created.GetProperty("key").GetString()!;

        var json = await cli.RunAsync("api-keys", "list", "--org", org.OrgId.ToString(), "--json");
        var text = await cli.RunAsync("api-keys", "list", "--org", org.OrgId.ToString());

        Assert.Equal(0, json.ExitCode);
        Assert.Equal(["Default API key", "ci"], json.Json.EnumerateArray().Select(k => k.GetProperty("name").GetString()));
        Assert.Equal(plaintext[^4..], json.Json[1].GetProperty("last4").GetString());
        Assert.False(json.Json[1].TryGetProperty("key", out _));
        Assert.DoesNotContain(plaintext, json.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(org.ApiKey, json.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains(created.GetProperty("id").GetString()!, text.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(plaintext, text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_UnknownOrg_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("api-keys", "list", "--org", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Revoke_Key_StopsAuthenticating()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var json = await cli.RunJsonAsync("orgs", "list");
        Assert.Equal(1, json.GetArrayLength());
        var keyId = (await cli.RunJsonAsync("api-keys", "list", "--org", org.OrgId.ToString()))[0].GetProperty("id").GetString()!;
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(org.ApiKey, org.AppKey);
        Assert.Equal(200, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);

        var result = await cli.RunAsync("api-keys", "revoke", "--org", org.OrgId.ToString(), "--id", keyId);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(keyId, result.Stdout, StringComparison.Ordinal);
        Assert.Equal(403, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        Assert.Equal(0, (await cli.RunJsonAsync("api-keys", "list", "--org", org.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Revoke_UnknownKey_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("api-keys", "revoke", "--org", org.OrgId.ToString(), "--id", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no API key", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_KeyOfAnotherOrg_ExitsOneAndKeepsIt()
    {
        using var cli = new CliHarness();
        var first = await cli.CreateOrgAsync("First");
        var second = await cli.CreateOrgAsync("Second");
        var keyId = (await cli.RunJsonAsync("api-keys", "list", "--org", second.OrgId.ToString()))[0].GetProperty("id").GetString()!;

        var result = await cli.RunAsync("api-keys", "revoke", "--org", first.OrgId.ToString(), "--id", keyId);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, (await cli.RunJsonAsync("api-keys", "list", "--org", second.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Revoke_InvalidUuid_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("api-keys", "revoke", "--org", Guid.NewGuid().ToString(), "--id", "12345");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--id: '12345' is not a valid UUID", result.Stderr, StringComparison.Ordinal);
    }
}
