using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Access;

/// <summary><c>POST …/resolve</c>: off by default, guarded by key scopes, permission and relation, audited without values, never cached.</summary>
public sealed class ResolveTests
{
    private const string HttpIntegration = """
        {"type":"HTTP","base_url":"https://api.example.com","credentials":{"type":"HTTPTokenAuth",
         "tokens":[{"name":"first","type":"SECRET","value":"tok-CANARY-1"},{"name":"second","type":"SECRET","value":"tok-CANARY-2"}],
         "headers":[{"name":"Authorization","value":"Bearer {{ first }}"}]}}
        """;

    [Fact]
    public async Task Resolve_Disabled_Is403SayingSo()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY"}}""");

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");

        Assert.Equal(403, response.Status);
        Assert.Contains("ACTIONCONNECTIONS_RESOLVE_ENABLED=true", response.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.DoesNotContain("CANARY", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ScopedKeyAndResolver_AnswersSecretsFilledInWithNoStore()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f["author"].Client.CreateAsync(HttpIntegration);
        var sa = f["service_account"];
        await f.SetPolicyAsync(id, $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]},{"relation":"resolver","principals":["user:{{sa.Id}}"]}]""");

        var get = await sa.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
        var resolved = await sa.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");

        Assert.Equal(200, resolved.Status);
        Assert.Equal("application/vnd.api+json", resolved.ContentType);
        Assert.Equal("no-store", resolved.Header("Cache-Control"));
        var expected = get.Body
            .Replace("""{"name":"first","type":"SECRET","value":""}""", """{"name":"first","type":"SECRET","value":"tok-CANARY-1"}""", StringComparison.Ordinal)
            .Replace("""{"name":"second","type":"SECRET","value":""}""", """{"name":"second","type":"SECRET","value":"tok-CANARY-2"}""", StringComparison.Ordinal);
        Assert.NotEqual(get.Body, expected);
        Assert.Equal(expected, resolved.Body);

        var audit = await f.App.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.resolve");
        var e = Assert.Single(audit.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal((sa.Id, id, 200, "127.0.0.1"), (e.GetProperty("principal_id").GetString(), e.GetProperty("target_id").GetString(), e.GetProperty("status").GetInt32(), e.GetProperty("client_address").GetString()));
        Assert.DoesNotContain("CANARY", audit.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", f.App.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_SingleSecretField_IsFilledIn()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync(secret: "sk-CANARY-openai");

        var resolved = await f["author"].Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");

        Assert.Equal(200, resolved.Status);
        Assert.Equal("sk-CANARY-openai", resolved.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("api_token").GetString());
    }

    [Fact]
    public async Task Resolve_KeyWithoutExplicitScope_Is403EvenForAnAdminsUnscopedKey()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var (_, scopedOther, scopedKey) = await f.App.CreateUserAsync(Role.Standard, ["connections_read", "connection_write"]);
        Assert.Equal(201, (await f.App.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{scopedKey}")).Status);

        var unscoped = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");
        var withoutScope = await scopedOther.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");
        var badId = await f["author"].Client.SendJsonAsync(HttpMethod.Post, "/api/v2/actionconnections/connections/not-a-uuid/resolve");
        var missing = await f["author"].Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{Guid.NewGuid()}/resolve");

        Assert.Equal(403, unscoped.Status);
        Assert.Contains("scopes name connections_resolve explicitly", unscoped.Body, StringComparison.Ordinal);
        Assert.Equal(403, withoutScope.Status);
        Assert.Contains("connections_resolve", withoutScope.Body, StringComparison.Ordinal);
        Assert.Equal(400, badId.Status);
        Assert.Equal(404, missing.Status);
        Assert.All([unscoped, withoutScope, badId, missing], r => Assert.DoesNotContain("sk-matrix-secret", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_OtherOrganisation_IsNotFound()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var other = await f.App.CreateTenantAsync();
        var client = await CreateScopedAdminAsync(f, other);

        var response = await client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");

        Assert.Equal(404, response.Status);
        Assert.DoesNotContain("sk-matrix-secret", response.Body, StringComparison.Ordinal);
    }

    /// <summary>The other organisation's admin with a registered key scoped for resolving.</summary>
    private static async Task<HttpClient> CreateScopedAdminAsync(AccessFixture f, Tenant other)
    {
        var identity = f.App.Service<ActionConnections.Identity.IIdentityStore>();
        var key = await identity.CreateAppKeyAsync(other.OrgId, other.Created.Admin.Id, "resolver", AccessFixture.MatrixScopes, CancellationToken.None);
        var client = f.App.CreateClient(other.Created.ApiKey.Key, key.Key);
        Assert.Equal(201, (await other.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{key.Record.Id}")).Status);
        return client;
    }
}
