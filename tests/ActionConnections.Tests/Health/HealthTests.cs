using System.Diagnostics;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Health;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c>: no keys, small JSON, 503 from readiness (and
/// from the API, in its error shape, fast) while the database cannot be reached.
/// </summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Live_NoKeys_Returns200()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(null, null);

        var response = await anonymous.GetJsonAsync("/health/live");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"status":"healthy"}""", response.Body);
    }

    [Fact]
    public async Task Ready_DatabaseReachable_Returns200()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(null, null);

        var response = await anonymous.GetJsonAsync("/health/ready");

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"status":"healthy","checks":{"database":"healthy"}}""", response.Body);
        Assert.Null(response.Header("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task DatabaseUnreachable_ReadyIs503AndApiAnswers503FastInErrorShape()
    {
        await using var server = await BareServer.StartAsync(BareServer.UnreachableDatabaseSettings());
        using var anonymous = server.CreateClient(null, null);
        using var client = server.CreateClient();

        var live = await anonymous.GetJsonAsync("/health/live");
        var ready = await anonymous.GetJsonAsync("/health/ready");
        var watch = Stopwatch.StartNew();
        var connections = await client.GetJsonAsync("/api/v2/actions/connections");
        var apiKeys = await client.GetJsonAsync("/api/v2/api_keys");
        watch.Stop();

        Assert.Equal((200, """{"status":"healthy"}"""), (live.Status, live.Body));
        Assert.Equal((503, """{"status":"unhealthy","checks":{"database":"unhealthy"}}"""), (ready.Status, ready.Body));
        Assert.Equal(503, connections.Status);
        Assert.Equal("application/vnd.api+json", connections.ContentType);
        Assert.Equal("""{"errors":[{"status":"503","title":"Service Unavailable","detail":"Service temporarily unavailable"}]}""", connections.Body);
        Assert.Equal(503, apiKeys.Status);
        Assert.Equal("""{"errors":["Service temporarily unavailable"]}""", apiKeys.Body);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"two requests took {watch.Elapsed}: a down database must fail fast");
        Assert.DoesNotContain(BareServer.UnreachablePassword, server.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal));
    }
}
