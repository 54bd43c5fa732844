using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.KeyManagement;

/// <summary>
/// Key caps hold under concurrent creates (issue 11, item 5): the count and the insert are one
/// atomic step, so 32 creates racing for the last two places leave exactly the cap.
/// </summary>
public sealed class KeyCapConcurrencyTests
{
    private const int Racers = 32;

    [Fact]
    public async Task CreateApiKey_32ConcurrentCreatesAt198Keys_LeaveExactly200()
    {
        await using var app = await TestApp.StartAsync();
        var identity = app.Service<IIdentityStore>();
        for (var i = (await identity.ListApiKeysAsync(app.OrgId, CancellationToken.None)).Count; i < 198; i++)
        {
            await identity.CreateApiKeyAsync(app.OrgId, app.AdminId, $"key {i}", "default", true, CancellationToken.None);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(() => app.Client.SendJsonAsync(
            HttpMethod.Post, KeyApiClient.ApiKeysPath, "{\"data\":{\"type\":\"api_keys\",\"attributes\":{\"name\":\"racer " + i + "\"}}}"))));

        Assert.Equal(2, responses.Count(r => r.Status == 201));
        Assert.All(responses.Where(r => r.Status != 201), r => Assert.Equal("400 application/json {\"errors\":[\"Maximum number of API keys (200) reached\"]}", r.ToString()));
        Assert.Equal(200, (await identity.ListApiKeysAsync(app.OrgId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task CreateAppKey_32ConcurrentCreatesAt998Keys_LeaveExactly1000()
    {
        await using var app = await TestApp.StartAsync();
        var identity = app.Service<IIdentityStore>();
        for (var i = (await identity.ListAppKeysAsync(app.OrgId, app.AdminId, CancellationToken.None)).Count; i < 998; i++)
        {
            await identity.CreateAppKeyAsync(app.OrgId, app.AdminId, $"key {i}", null, CancellationToken.None);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(() => app.Client.SendJsonAsync(
            HttpMethod.Post, KeyApiClient.MyAppKeysPath, "{\"data\":{\"type\":\"application_keys\",\"attributes\":{\"name\":\"racer " + i + "\"}}}"))));

        Assert.Equal(2, responses.Count(r => r.Status == 201));
        Assert.All(responses.Where(r => r.Status != 201), r => Assert.Equal("400 application/json {\"errors\":[\"Maximum number of application keys per user (1000) reached\"]}", r.ToString()));
        Assert.Equal(1000, (await identity.ListAppKeysAsync(app.OrgId, app.AdminId, CancellationToken.None)).Count);
    }
}
