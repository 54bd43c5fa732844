using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cli;

public sealed class KeyStorageTests
{
    [Fact]
    public async Task CreatedKeys_AreNotInStoredData()
    {
        using var cli = new CliHarness();
        const string orgName = "Plaintext check organisation";
        var org = await cli.CreateOrgAsync(orgName);
        var apiKey = (await cli.RunJsonAsync("api-keys", "create", "--org", org.OrgId.ToString(), "--name", "second api key")).GetProperty("key").GetString()!;
        var appKey = (await cli.RunJsonAsync("app-keys", "create", "--org", org.OrgId.ToString(), "--owner", org.AdminId.ToString(), "--name", "second app key")).GetProperty("key").GetString()!;

        // Everything the store holds (SQLite: the database, its WAL and anything else written in
        // the data directory; PostgreSQL: every row of every table); the organisation's name
        // proves the rows are in what is read.
        var contents = await cli.Store.ReadStoredTextAsync();

        Assert.Contains(orgName, contents, StringComparison.Ordinal);
        foreach (var key in new[] { org.ApiKey, org.AppKey, apiKey, appKey })
        {
            Assert.DoesNotContain(key, contents, StringComparison.OrdinalIgnoreCase);
        }
    }
}
