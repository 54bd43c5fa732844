using ActionConnections.Tests.Infrastructure;
using ActionConnections.Tests.KeyManagement;

namespace ActionConnections.Tests.Replicas;

/// <summary>
/// Two servers over one store, as replicas behind a load balancer run: what one writes the other
/// reads at once, concurrent updates through both lose nothing, and a revoked key stops working
/// everywhere on the next request (no replica caches keys). On the PostgreSQL pass the replicas
/// share a database; on SQLite, one database file (the same code paths, one machine).
/// </summary>
public sealed class ReplicaTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task Connection_CreatedOnOne_IsReadUpdatedAndDeletedOnTheOther()
    {
        await using var first = await TestApp.StartAsync();
        await using var second = await first.StartReplicaAsync();
        await first.RegisterBootstrapKeyAsync();

        var id = await first.Client.CreateAsync(ConnectionBodies.AwsIntegration, "made on the first");
        var read = await second.Client.GetJsonAsync($"{Connections}/{id}");
        Assert.Equal(200, read.Status);
        Assert.Equal("made on the first", Name(read));

        var renamed = await second.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"name":"renamed on the second"}"""));
        Assert.Equal(200, renamed.Status);
        Assert.Equal("renamed on the second", Name(await first.Client.GetJsonAsync($"{Connections}/{id}")));

        Assert.Equal(204, (await second.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}")).Status);
        var gone = await first.Client.GetJsonAsync($"{Connections}/{id}");
        Assert.Equal(404, gone.Status);
        Assert.Equal(0, (await first.Client.GetJsonAsync(Connections)).Json.GetProperty("meta").GetProperty("total").GetInt64());

        if (first.Store.ConnectionString is { } connectionString)
        {
            // The database password is in no log line of either replica.
            var password = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Password!;
            Assert.DoesNotContain(password, first.Logs.All + second.Logs.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Connection_ReadOnOne_UpdatedOnTheOther_IsReadFreshOnTheFirst()
    {
        // Each replica reuses the rows it has parsed, but only at the version it parsed them.
        await using var first = await TestApp.StartAsync();
        await using var second = await first.StartReplicaAsync();
        await first.RegisterBootstrapKeyAsync();
        var id = await first.Client.CreateAsync(ConnectionBodies.AwsIntegration, "v1");
        Assert.Equal("v1", Name(await first.Client.GetJsonAsync($"{Connections}/{id}")));
        Assert.Equal("v1", ListedName(await first.Client.GetJsonAsync(Connections)));

        Assert.Equal(200, (await second.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"name":"v2","tags":["team:b"]}"""))).Status);
        var afterName = await first.Client.GetJsonAsync($"{Connections}/{id}");
        Assert.Equal("v2", Name(afterName));
        Assert.Equal("""["team:b"]""", afterName.Json.GetProperty("data").GetProperty("attributes").GetProperty("tags").GetRawText());
        Assert.Equal("v2", ListedName(await first.Client.GetJsonAsync(Connections)));

        var role = await second.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update(
            """{"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"210987654321","role":"changed-role"}}}"""));
        Assert.Equal(200, role.Status);
        var credentials = (await first.Client.GetJsonAsync($"{Connections}/{id}")).Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials");
        Assert.Equal("changed-role", credentials.GetProperty("role").GetString());
        Assert.Equal("210987654321", credentials.GetProperty("account_id").GetString());
    }

    [Fact]
    public async Task Update_ConcurrentPatchesThroughBothReplicas_LoseNoUpdate()
    {
        await using var first = await TestApp.StartAsync();
        await using var second = await first.StartReplicaAsync();
        await first.RegisterBootstrapKeyAsync();
        var id = await first.Client.CreateAsync("""{"type":"HTTP","base_url":"https://example.com","credentials":{"type":"HTTPTokenAuth","headers":[]}}""");

        const int Patches = 24;
        var responses = await Task.WhenAll(Enumerable.Range(0, Patches).Select(i => (i % 2 == 0 ? first : second).Client.SendJsonAsync(
            HttpMethod.Patch,
            $"{Connections}/{id}",
            ConnectionBodies.Update("{\"integration\":{\"type\":\"HTTP\",\"credentials\":{\"type\":\"HTTPTokenAuth\",\"headers\":[{\"name\":\"h" + i + "\",\"value\":\"v" + i + "\"}]}}}"))));

        Assert.All(responses, r => Assert.Equal(200, r.Status));
        foreach (var replica in new[] { first, second })
        {
            var headers = (await replica.Client.GetJsonAsync($"{Connections}/{id}")).Json
                .GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("headers")
                .EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("value").GetString());
            Assert.Equal(Enumerable.Range(0, Patches).ToDictionary(i => $"h{i}", i => (string?)$"v{i}"), headers);
        }
    }

    [Fact]
    public async Task ApiKey_RevokedOnOne_IsRefusedByTheOtherAtOnce()
    {
        await using var first = await TestApp.StartAsync();
        await using var second = await first.StartReplicaAsync();
        var key = await first.Client.CreateApiKeyAsync("short-lived");
        using var viaSecond = second.CreateClient(key.Key, TestApp.AppKey);
        Assert.Equal(200, (await viaSecond.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);

        Assert.Equal(204, (await first.Client.SendJsonAsync(HttpMethod.Delete, $"{KeyApiClient.ApiKeysPath}/{key.Id}")).Status);

        var refused = await viaSecond.GetJsonAsync("/api/v2/actions/app_key_registrations");
        Assert.Equal(403, refused.Status);
        Assert.Equal("""{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden"}]}""", refused.Body);
    }

    [Fact]
    public async Task AppKey_UnregisteredOrDeletedOnOne_StopsWorkingOnTheOtherAtOnce()
    {
        await using var first = await TestApp.StartAsync();
        await using var second = await first.StartReplicaAsync();
        var key = await first.Client.CreateAppKeyAsync("replicated");
        using var viaFirst = first.CreateClient(TestApp.ApiKey, key.Key);
        using var viaSecond = second.CreateClient(TestApp.ApiKey, key.Key);
        Assert.Equal(201, (await viaFirst.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{key.Id}")).Status);
        Assert.Equal(200, (await viaSecond.GetJsonAsync(Connections)).Status);

        Assert.Equal(204, (await viaFirst.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/app_key_registrations/{key.Id}")).Status);
        var unregistered = await viaSecond.GetJsonAsync(Connections);
        Assert.Equal(403, unregistered.Status);
        Assert.Contains("requires a registered application key", unregistered.Body, StringComparison.Ordinal);

        Assert.Equal(204, (await first.Client.SendJsonAsync(HttpMethod.Delete, $"{KeyApiClient.MyAppKeysPath}/{key.Id}")).Status);
        var deleted = await viaSecond.GetJsonAsync("/api/v2/actions/app_key_registrations");
        Assert.Equal(403, deleted.Status);
        Assert.Equal("""{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden"}]}""", deleted.Body);
    }

    /// <summary>
    /// Documented (README, "Production: PostgreSQL and replicas"): counters live in each process,
    /// so an organisation can make up to the limit on every replica. This pins that down; a
    /// shared limiter would change this test on purpose.
    /// </summary>
    [Fact]
    public async Task RateLimit_CountsPerReplica()
    {
        var settings = new Dictionary<string, string?> { ["ActionConnections:RateLimitRequests"] = "2", ["ActionConnections:RateLimitPeriodSeconds"] = "3600" };
        await using var first = await TestApp.StartAsync(settings);
        await using var second = await first.StartReplicaAsync(settings);
        const string Path = "/api/v2/actions/app_key_registrations";

        var onFirst = new[] { await first.Client.GetJsonAsync(Path), await first.Client.GetJsonAsync(Path), await first.Client.GetJsonAsync(Path) };
        var onSecond = new[] { await second.Client.GetJsonAsync(Path), await second.Client.GetJsonAsync(Path), await second.Client.GetJsonAsync(Path) };

        Assert.Equal(new[] { 200, 200, 429 }, onFirst.Select(r => r.Status));
        Assert.Equal(new[] { 200, 200, 429 }, onSecond.Select(r => r.Status));
        Assert.Equal("2", onSecond[0].Header("X-RateLimit-Limit"));
        Assert.Equal("1", onSecond[0].Header("X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Replica_StoppedAndStartedAgain_ServesWhatTheOtherWrote()
    {
        await using var first = await TestApp.StartAsync();
        var second = await first.StartReplicaAsync();
        await first.RegisterBootstrapKeyAsync();
        await second.StopAsync();

        var id = await first.Client.CreateAsync(ConnectionBodies.AwsIntegration, "written while the second was away");
        await using var restarted = await first.StartReplicaAsync();
        await second.DisposeAsync();

        var read = await restarted.Client.GetJsonAsync($"{Connections}/{id}");
        Assert.Equal(200, read.Status);
        Assert.Equal("written while the second was away", Name(read));
    }

    private static string? ListedName(TestResponse list) =>
        list.Json.GetProperty("data")[0].GetProperty("attributes").GetProperty("name").GetString();

    private static string? Name(TestResponse response) =>
        response.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString();
}
