using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cli;

public sealed class AppKeyCommandsTests
{
    [Fact]
    public async Task Create_Unscoped_KeyAuthenticatesWithOwnersPermissions()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var key = await cli.RunJsonAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "ops");

        Assert.Equal(org.AdminId, key.GetProperty("owner_id").GetGuid());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, key.GetProperty("scopes").ValueKind);
        var plaintext = key.GetProperty("key").GetString()!;
        Assert.Matches("^[0-9a-f]{40}$", plaintext);
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(org.ApiKey, plaintext);
        Assert.Equal(200, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
    }

    [Fact]
    public async Task Create_Scoped_KeyIsLimitedToItsScopes()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var key = await cli.RunJsonAsync(
            "app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "reader",
            "--scopes", "connections_read, connection_write,connections_read");

        Assert.Equal(["connections_read", "connection_write"], key.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(org.ApiKey, key.GetProperty("key").GetString());

        // Listing registrations needs org_app_keys_read, which the scopes leave out.
        Assert.Equal(403, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
    }

    [Fact]
    public async Task Create_UnknownScope_ExitsOneAndCreatesNothing()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync(
            "app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "bad",
            "--scopes", "connections_read,not_a_scope", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unknown scope not_a_scope", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(1, (await cli.RunJsonAsync("app-keys", "list", "--org", org.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Create_EmptyScopes_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "bad", "--scopes", " , ");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--scopes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownOwner_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", Guid.NewGuid().ToString(), "--name", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no user or service account", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_OwnerOfAnotherOrg_ExitsOne()
    {
        using var cli = new CliHarness();
        var first = await cli.CreateOrgAsync("First");
        var second = await cli.CreateOrgAsync("Second");

        var result = await cli.RunAsync("app-keys", "create", "--org", first.OrgId.ToString(), "--owner", second.AdminId.ToString(), "--name", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, (await cli.RunJsonAsync("app-keys", "list", "--org", first.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Create_DisabledOwner_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var bob = (await cli.RunJsonAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob")).GetProperty("id").GetString()!;
        Assert.Equal(0, (await cli.RunAsync("users", "revoke", "--org", org.OrgId.ToString(), "--id", bob)).ExitCode);

        var result = await cli.RunAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", bob, "--name", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("disabled", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_MissingOwner_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("app-keys", "create", "--org", Guid.NewGuid().ToString(), "--name", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--owner", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Text_PrintsKeyAndScopes()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "x", "--scopes", "connections_read");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"DD-APPLICATION-KEY:\s+[0-9a-f]{40}", result.Stdout);
        Assert.Matches(@"scopes:\s+connections_read", result.Stdout);
    }

    [Fact]
    public async Task List_Json_ShowsScopesButNeverTheKey()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var created = await cli.RunJsonAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "x", "--scopes", "connections_read");

        var result = await cli.RunAsync("app-keys", "list", "--org", org.OrgId.ToString(), "--json");

        Assert.Equal(0, result.ExitCode);
        var keys = result.Json.EnumerateArray().ToList();
        Assert.Equal([org.AppKeyId, created.GetProperty("id").GetGuid()], keys.Select(k => k.GetProperty("id").GetGuid()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, keys[0].GetProperty("scopes").ValueKind);
        Assert.Equal(["connections_read"], keys[1].GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain(created.GetProperty("key").GetString()!, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(org.AppKey, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Text_ShowsOneLinePerKey()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("app-keys", "list", "--org", org.OrgId.ToString());

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(org.AppKeyId.ToString("D"), lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(org.AppKey, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_UnknownOrg_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("app-keys", "list", "--org", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Revoke_Key_StopsAuthenticating()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(org.ApiKey, org.AppKey);
        Assert.Equal(200, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);

        var result = await cli.RunAsync("app-keys", "revoke", "--org", org.OrgId.ToString(), "--id", org.AppKeyId.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(org.AppKeyId.ToString("D"), result.Stdout, StringComparison.Ordinal);
        var after = await client.GetJsonAsync("/api/v2/actions/app_key_registrations");
        Assert.Equal(403, after.Status);
        Assert.Equal(0, (await cli.RunJsonAsync("app-keys", "list", "--org", org.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Revoke_UnknownKey_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("app-keys", "revoke", "--org", org.OrgId.ToString(), "--id", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no application key", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_KeyOfAnotherOrg_ExitsOneAndKeepsIt()
    {
        using var cli = new CliHarness();
        var first = await cli.CreateOrgAsync("First");
        var second = await cli.CreateOrgAsync("Second");

        var result = await cli.RunAsync("app-keys", "revoke", "--org", first.OrgId.ToString(), "--id", second.AppKeyId.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, (await cli.RunJsonAsync("app-keys", "list", "--org", second.OrgId.ToString())).GetArrayLength());
    }
}
