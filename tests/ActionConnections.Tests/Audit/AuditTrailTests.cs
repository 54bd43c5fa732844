using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Audit;

/// <summary>Every write and key change leaves an event: who, what, target, outcome, when, where; never a secret.</summary>
public sealed class AuditTrailTests
{
    private const string Events = "/api/v2/actionconnections/audit_events";

    [Fact]
    public async Task ConnectionLifecycle_RecordsCreateUpdateDeleteWithWhoAndWhere()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY-audit"}}""");
        await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"renamed"}"""));
        await app.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/connections/{id}");

        var response = await app.Client.GetJsonAsync(Events);

        Assert.Equal(200, response.Status);
        var events = Attributes(response);
        Assert.Equal(["connection.delete", "connection.update", "connection.create", "app_key_registration.create"], events.Select(e => e.GetProperty("action").GetString()!).ToArray());
        foreach (var e in events.Take(3))
        {
            Assert.Equal("success", e.GetProperty("outcome").GetString());
            Assert.Equal("connection", e.GetProperty("target_type").GetString());
            Assert.Equal(id, e.GetProperty("target_id").GetString());
            Assert.Equal(app.AdminId.ToString(), e.GetProperty("principal_id").GetString());
            Assert.Equal(app.AppKeyId.ToString(), e.GetProperty("app_key_id").GetString());
            Assert.True(e.TryGetProperty("api_key_id", out _));
            Assert.Equal("127.0.0.1", e.GetProperty("client_address").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("request_id").GetString()));
            Assert.Equal("api", e.GetProperty("source").GetString());
        }

        Assert.Equal([204, 200, 201], events.Take(3).Select(e => e.GetProperty("status").GetInt32()).ToArray());
        Assert.DoesNotContain("CANARY", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", await app.Store.ReadStoredTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedWrite_IsRecordedAsFailureWithStatus()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        await app.Client.SendJsonAsync(HttpMethod.Delete, "/api/v2/actions/connections/aaa11111-aa11-aa11-aaaa-aaaaaa111111");
        var response = await app.Client.GetJsonAsync($"{Events}?filter[action]=connection.delete");

        var e = Assert.Single(Attributes(response));
        Assert.Equal(("failure", 404), (e.GetProperty("outcome").GetString(), e.GetProperty("status").GetInt32()));
        Assert.Equal("aaa11111-aa11-aa11-aaaa-aaaaaa111111", e.GetProperty("target_id").GetString());
    }

    [Fact]
    public async Task KeyChangesOverApi_AreRecorded()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/api_keys", """{"data":{"type":"api_keys","attributes":{"name":"ci"}}}""");
        var keyId = created.Json.GetProperty("data").GetProperty("id").GetString();
        await app.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/api_keys/{keyId}");
        var appKey = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/current_user/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"bot"}}}""");
        var newKey = appKey.Json.GetProperty("data").GetProperty("attributes").GetProperty("key").GetString()!;

        var response = await app.Client.GetJsonAsync(Events);

        var actions = Attributes(response).Select(e => (e.GetProperty("action").GetString(), e.GetProperty("target_id").GetString())).ToList();
        Assert.Contains(("api_key.create", keyId), actions);
        Assert.Contains(("api_key.revoke", keyId), actions);
        Assert.Contains(("app_key.create", appKey.Json.GetProperty("data").GetProperty("id").GetString()), actions);
        Assert.DoesNotContain(newKey, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.AppKey, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_TimeRangeActionAndPaging_Filter()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        for (var i = 0; i < 3; i++)
        {
            await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        }

        var future = await app.Client.GetJsonAsync($"{Events}?filter[from]=2999-01-01T00:00:00Z");
        var past = await app.Client.GetJsonAsync($"{Events}?filter[to]=2000-01-01T00:00:00Z");
        var page = await app.Client.GetJsonAsync($"{Events}?filter[action]=connection.create&page[size]=2&page[number]=1");
        var badTime = await app.Client.GetJsonAsync($"{Events}?filter[from]=yesterday");
        var badAction = await app.Client.GetJsonAsync($"{Events}?filter[action]=connection.read");

        Assert.Empty(Attributes(future));
        Assert.Empty(Attributes(past));
        Assert.Single(Attributes(page));
        Assert.Equal(3, page.Json.GetProperty("meta").GetProperty("total_filtered").GetInt64());
        Assert.Equal(400, badTime.Status);
        Assert.Equal("filter[from]", badTime.Json.GetProperty("errors")[0].GetProperty("source").GetProperty("parameter").GetString());
        Assert.Equal(400, badAction.Status);
    }

    [Fact]
    public async Task AuthenticationFailure_WithThisOrgsApiKey_IsRecordedForTheOrg()
    {
        await using var app = await TestApp.StartAsync();
        using var intruder = app.CreateClient(TestApp.ApiKey, new string('f', 40));
        using var stranger = app.CreateClient(new string('e', 32), new string('f', 40));

        Assert.Equal(403, (await intruder.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        Assert.Equal(403, (await stranger.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        var response = await app.Client.GetJsonAsync($"{Events}?filter[action]=authentication.failure");

        var e = Assert.Single(Attributes(response));
        Assert.Equal(("failure", 403), (e.GetProperty("outcome").GetString(), e.GetProperty("status").GetInt32()));
        Assert.False(e.TryGetProperty("principal_id", out _));
        Assert.Equal("127.0.0.1", e.GetProperty("client_address").GetString());
        Assert.DoesNotContain(new string('f', 40), response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_WithoutAuditLogsRead_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.GetJsonAsync(Events);

        Assert.Equal(403, response.Status);
        Assert.Contains("audit_logs_read", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_OtherOrganisation_SeesNoneOfOurEvents()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var other = await app.CreateTenantAsync(registerKey: false);

        var theirs = await other.Client.GetJsonAsync(Events);

        Assert.Equal(200, theirs.Status);
        Assert.Empty(Attributes(theirs));
    }

    [Fact]
    public async Task AuditEvents_CannotBeChangedOrRemovedThroughTheApi()
    {
        await using var app = await TestApp.StartAsync();

        var post = await app.Client.SendJsonAsync(HttpMethod.Post, Events, "{}");
        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, Events);

        Assert.Equal(405, post.Status);
        Assert.Equal(405, delete.Status);
    }

    [Fact]
    public async Task CliChanges_AreRecordedAndListedByTheCli()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        var orgId = org.OrgId.ToString("D");
        var key = await cli.RunJsonAsync("api-keys", "create", "--org", orgId, "--name", "cli key");
        var keyId = key.GetProperty("id").GetString()!;
        await cli.RunAsync("api-keys", "revoke", "--org", orgId, "--id", keyId);

        var listed = await cli.RunJsonAsync("audit", "list", "--org", orgId);

        var actions = listed.EnumerateArray().Select(e => e.GetProperty("attributes")).Select(a => (a.GetProperty("action").GetString(), a.GetProperty("target_id").GetString(), a.GetProperty("source").GetString())).ToList();
        Assert.Contains(("api_key.revoke", keyId, "cli"), actions);
        Assert.Contains(("api_key.create", keyId, "cli"), actions);
        Assert.Contains(("org.create", orgId, "cli"), actions);
        Assert.DoesNotContain(key.GetProperty("key").GetString()!, listed.GetRawText(), StringComparison.Ordinal);
    }

    private static List<JsonElement> Attributes(TestResponse response) =>
        [.. response.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("attributes"))];
}
