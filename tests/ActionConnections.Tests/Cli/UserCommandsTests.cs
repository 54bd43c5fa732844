using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cli;

public sealed class UserCommandsTests
{
    [Fact]
    public async Task Create_DefaultOptions_CreatesStandardUser()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var user = await cli.RunJsonAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob", "--email", "bob@example.com");

        Assert.Equal(org.OrgId, user.GetProperty("org_id").GetGuid());
        Assert.Equal("user", user.GetProperty("kind").GetString());
        Assert.Equal("Bob", user.GetProperty("name").GetString());
        Assert.Equal("bob@example.com", user.GetProperty("email").GetString());
        Assert.Equal("standard", user.GetProperty("role").GetString());
        Assert.False(user.GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task Create_ServiceAccountReadOnly_CreatesServiceAccount()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var user = await cli.RunJsonAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "ci", "--role", "read_only", "--service-account");

        Assert.Equal("service_account", user.GetProperty("kind").GetString());
        Assert.Equal("read_only", user.GetProperty("role").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, user.GetProperty("email").ValueKind);
    }

    [Fact]
    public async Task Create_Text_PrintsId()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob", "--role", "admin");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Created user \"Bob\" (admin).", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"id:\s+[0-9a-f-]{36}", result.Stdout);
    }

    [Fact]
    public async Task Create_InvalidRole_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob", "--role", "superuser");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'superuser' is not a role", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(1, (await cli.RunJsonAsync("users", "list", "--org", org.OrgId.ToString())).GetArrayLength());
    }

    [Fact]
    public async Task Create_InvalidOrgUuid_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("users", "create", "--org", "not-a-uuid", "--name", "Bob");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--org: 'not-a-uuid' is not a valid UUID", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownOrg_ExitsOne()
    {
        using var cli = new CliHarness();
        var missing = Guid.NewGuid();

        var result = await cli.RunAsync("users", "create", "--org", missing.ToString(), "--name", "Bob");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: no organisation with id {missing:D}.", result.Stderr.Trim());
    }

    [Fact]
    public async Task Create_InvalidEmail_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob", "--email", "bob");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--email", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Json_ListsAdminAndCreatedUsers()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var bob = await cli.RunJsonAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob");

        var list = await cli.RunJsonAsync("users", "list", "--org", org.OrgId.ToString());

        Assert.Equal([org.AdminId, bob.GetProperty("id").GetGuid()], list.EnumerateArray().Select(u => u.GetProperty("id").GetGuid()));
        Assert.Equal(["admin", "standard"], list.EnumerateArray().Select(u => u.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task List_Text_ShowsOneLinePerPrincipal()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("users", "list", "--org", org.OrgId.ToString());

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(org.AdminId.ToString("D"), lines[1], StringComparison.Ordinal);
        Assert.Contains("active", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_UnknownOrg_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("users", "list", "--org", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no organisation", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_User_DisablesUserAndItsKeysStopAuthenticating()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var userId = (await cli.RunJsonAsync("users", "create", "--org", org.OrgId.ToString(), "--name", "Bob", "--role", "admin")).GetProperty("id").GetString()!;
        var appKey = (await cli.RunJsonAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", userId, "--name", "bob's key")).GetProperty("key").GetString()!;
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(org.ApiKey, appKey);
        Assert.Equal(200, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);

        var result = await cli.RunAsync("users", "revoke", "--org", org.OrgId.ToString(), "--id", userId);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(userId, result.Stdout, StringComparison.Ordinal);
        Assert.Equal(403, (await client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        var users = await cli.RunJsonAsync("users", "list", "--org", org.OrgId.ToString());
        Assert.True(users.EnumerateArray().Single(u => u.GetProperty("id").GetString() == userId).GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task Revoke_UnknownPrincipal_ExitsOne()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();

        var result = await cli.RunAsync("users", "revoke", "--org", org.OrgId.ToString(), "--id", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no user or service account", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_PrincipalOfAnotherOrg_ExitsOneAndLeavesItActive()
    {
        using var cli = new CliHarness();
        var first = await cli.CreateOrgAsync("First");
        var second = await cli.CreateOrgAsync("Second");

        var result = await cli.RunAsync("users", "revoke", "--org", first.OrgId.ToString(), "--id", second.AdminId.ToString());

        Assert.Equal(1, result.ExitCode);
        var users = await cli.RunJsonAsync("users", "list", "--org", second.OrgId.ToString());
        Assert.False(users[0].GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task Revoke_MissingId_ExitsOne()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("users", "revoke", "--org", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--id", result.Stderr, StringComparison.Ordinal);
    }
}
