using System.Text.Json;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cli;

public sealed class OrgCommandsTests
{
    [Fact]
    public async Task Create_Json_PrintsOneLineWithIdsAndKeys()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("orgs", "create", "--name", "Acme", "--json");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        var names = JsonDocument.Parse(lines[0]).RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["org_id", "api_key", "app_key", "app_key_id"], names.Take(4));
        var json = result.Json;
        Assert.Matches("^[0-9a-f]{32}$", json.GetProperty("api_key").GetString());
        Assert.Matches("^[0-9a-f]{40}$", json.GetProperty("app_key").GetString());
        Assert.NotEqual(Guid.Empty, json.GetProperty("org_id").GetGuid());
        Assert.NotEqual(Guid.Empty, json.GetProperty("app_key_id").GetGuid());
    }

    [Fact]
    public async Task Create_Json_KeysAuthenticateAgainstServer()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(org.ApiKey, org.AppKey);

        var response = await client.GetJsonAsync("/api/v2/actions/app_key_registrations");

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"data":[],"meta":{"total":0,"total_filtered":0}}""", response.Body);
        Assert.DoesNotContain(org.ApiKey, app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(org.AppKey, app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Json_KeysOfAnotherOrganisationDoNotMix()
    {
        using var cli = new CliHarness();
        var first = await cli.CreateOrgAsync("First");
        var second = await cli.CreateOrgAsync("Second");
        await using var app = await cli.StartServerAsync();
        using var client = app.CreateClient(first.ApiKey, second.AppKey);

        var response = await client.GetJsonAsync("/api/v2/actions/app_key_registrations");

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task Create_Text_PrintsIdsAndKeys()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("orgs", "create", "--name", "Acme");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Created organisation \"Acme\".", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"DD-API-KEY:\s+[0-9a-f]{32}\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Matches(@"DD-APPLICATION-KEY:\s+[0-9a-f]{40}\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("shown only this once", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BlankName_ExitsOneAndCreatesNothing()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("orgs", "create", "--name", "  ", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--name must not be empty", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(0, (await cli.RunJsonAsync("orgs", "list")).GetArrayLength());
    }

    [Fact]
    public async Task Create_MissingName_ExitsOne()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("orgs", "create");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--name", result.Stderr, StringComparison.Ordinal);
        Assert.True(await cli.Store.IsUntouchedAsync(), "a usage error must not touch the store");
    }

    [Fact]
    public async Task List_Json_ListsOrganisationsInCreationOrder()
    {
        using var cli = new CliHarness();
        var first = await cli.CreateOrgAsync("First");
        var second = await cli.CreateOrgAsync("Second");

        var list = await cli.RunJsonAsync("orgs", "list");

        Assert.Equal([first.OrgId, second.OrgId], list.EnumerateArray().Select(o => o.GetProperty("id").GetGuid()));
        Assert.Equal(["First", "Second"], list.EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.DoesNotContain(first.ApiKey, list.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Text_ShowsHeaderAndOneLinePerOrganisation()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync("Acme");

        var result = await cli.RunAsync("orgs", "list");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(org.OrgId.ToString("D"), lines[1], StringComparison.Ordinal);
        Assert.Contains("Acme", lines[1], StringComparison.Ordinal);
    }
}
