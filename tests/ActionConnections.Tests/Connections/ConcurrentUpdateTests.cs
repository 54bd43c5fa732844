using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>
/// Contended writers of one connection queue on its lock (issue 11, item 6): a client doing
/// nothing wrong never gets a 503 because others write the same connection, and no update is lost.
/// </summary>
public sealed class ConcurrentUpdateTests
{
    private const string Integration = """
        {"base_url":"https://example.com","credentials":{"type":"HTTPTokenAuth",
        "tokens":[{"name":"token1","type":"SECRET","value":"CANARY-token-one"}]},"type":"HTTP"}
        """;

    [Fact]
    public async Task Update_64ConcurrentPatchesOfOneConnection_AllAnswer200AndNoneIsLost()
    {
        const int Patches = 64;
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(Integration);

        var responses = await Task.WhenAll(Enumerable.Range(0, Patches).Select(i => Task.Run(() => app.Client.SendJsonAsync(
            HttpMethod.Patch,
            $"/api/v2/actions/connections/{id}",
            ConnectionBodies.Update("{\"integration\":{\"type\":\"HTTP\",\"credentials\":{\"type\":\"HTTPTokenAuth\",\"headers\":[{\"name\":\"h" + i + "\",\"value\":\"v" + i + "\"}]}}}")))));

        Assert.All(responses, r => Assert.True(r.Status == 200, r.ToString()));
        var headers = HttpTokenAuthUpdateTests.Credentials(await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}"))
            .GetProperty("headers").EnumerateArray().Select(h => h.GetProperty("name").GetString()!).ToHashSet();
        Assert.Equal(Enumerable.Range(0, Patches).Select(i => $"h{i}").ToHashSet(), headers);
        Assert.Equal("CANARY-token-one", (await HttpTokenAuthUpdateTests.RevealAsync(app, id))["tokens/token1"]);
    }
}
