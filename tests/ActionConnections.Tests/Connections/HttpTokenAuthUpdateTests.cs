using System.Text.Json;
using ActionConnections.Connections;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>PATCH semantics of HTTP token auth (docs/reference/BEHAVIOR.md §13): merge by name, deleted flags, body replaced.</summary>
public sealed class HttpTokenAuthUpdateTests
{
    private const string Integration = """
        {"base_url":"https://catfact.ninja","credentials":{"body":{"content":"{\"key\":\"{{ token1 }}\"}","content_type":"application/json"},
        "headers":[{"name":"header-name","value":"header-value"},{"name":"keep-header","value":"kept"}],
        "tokens":[{"name":"token1","type":"SECRET","value":"CANARY-token-one"},{"name":"token2","type":"SECRET","value":"CANARY-token-two"}],
        "type":"HTTPTokenAuth","url_parameters":[{"name":"urlParamName","value":"urlParamValue"}]},"type":"HTTP"}
        """;

    [Fact]
    public async Task Update_TokensHeadersAndParams_MergeByName()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(Integration);

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""
            {"integration":{"type":"HTTP","credentials":{"type":"HTTPTokenAuth",
              "tokens":[{"name":"token1","deleted":true,"value":""},{"name":"token3","type":"SECRET","value":"CANARY-token-three"}],
              "headers":[{"name":"header-name","value":"changed"},{"name":"new-header","value":"new"}],
              "url_parameters":[{"name":"urlParamName","deleted":true}]}}}
            """));

        Assert.Equal(200, response.Status);
        var credentials = response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials");
        Assert.Equal("""[{"name":"token2","type":"SECRET","value":""},{"name":"token3","type":"SECRET","value":""}]""", credentials.GetProperty("tokens").GetRawText());
        Assert.Equal("""[{"name":"header-name","value":"changed"},{"name":"keep-header","value":"kept"},{"name":"new-header","value":"new"}]""", credentials.GetProperty("headers").GetRawText());
        Assert.Equal("[]", credentials.GetProperty("url_parameters").GetRawText());
        Assert.Equal("""{"content":"{\"key\":\"{{ token1 }}\"}","content_type":"application/json"}""", credentials.GetProperty("body").GetRawText());
        Assert.Equal("https://catfact.ninja", response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("base_url").GetString());

        var secrets = await RevealAsync(app, id);
        Assert.Equal(new Dictionary<string, string> { ["tokens/token2"] = "CANARY-token-two", ["tokens/token3"] = "CANARY-token-three" }, secrets);
    }

    [Fact]
    public async Task Update_BodyAndBaseUrl_AreReplacedWhenGiven()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(Integration);

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""
            {"integration":{"type":"HTTP","base_url":"https://example.com/v2","credentials":{"type":"HTTPTokenAuth","body":{"content":"plain"}}}}
            """));

        Assert.Equal(200, response.Status);
        var integration = response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration");
        Assert.Equal("https://example.com/v2", integration.GetProperty("base_url").GetString());
        Assert.Equal("""{"content":"plain"}""", integration.GetProperty("credentials").GetProperty("body").GetRawText());
        Assert.Equal(2, integration.GetProperty("credentials").GetProperty("tokens").GetArrayLength());
        Assert.Equal("CANARY-token-one", (await RevealAsync(app, id))["tokens/token1"]);
    }

    [Fact]
    public async Task Update_ExistingTokenWithoutValueOrWithEmptyValue_KeepsSecret()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(Integration);

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""
            {"integration":{"type":"HTTP","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"token1","type":"SECRET"},{"name":"token2","type":"SECRET","value":""}]}}}
            """));

        Assert.Equal(200, response.Status);
        var secrets = await RevealAsync(app, id);
        Assert.Equal("CANARY-token-one", secrets["tokens/token1"]);
        Assert.Equal("CANARY-token-two", secrets["tokens/token2"]);
    }

    [Fact]
    public async Task Update_NewTokenWithoutValue_Returns400AtItsValueAndChangesNothing()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(Integration);
        var before = (await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}")).Body;

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""
            {"name":"renamed","integration":{"type":"HTTP","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"fresh"}],"headers":[{"name":"x","value":1}]}}}
            """));

        Assert.Equal(400, response.Status);
        var pointers = response.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("source").GetProperty("pointer").GetString()).ToList();
        Assert.Contains("/data/attributes/integration/credentials/tokens/0/type", pointers);
        Assert.Contains("/data/attributes/integration/credentials/tokens/0/value", pointers);
        Assert.Contains("/data/attributes/integration/credentials/headers/0/value", pointers);
        Assert.Equal(before, (await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}")).Body);
    }

    [Fact]
    public async Task Create_DuplicateTokenNames_Returns400AtSecondName()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/actions/connections", ConnectionBodies.Create("""
            {"base_url":"https://x","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"a","type":"SECRET","value":"1"},{"name":"a","type":"SECRET","value":"2"}]},"type":"HTTP"}
            """));

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal("/data/attributes/integration/credentials/tokens/1/name", error.GetProperty("source").GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task Create_UnknownTokenType_Returns400NamingAllowedValues()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/actions/connections", ConnectionBodies.Create("""
            {"base_url":"https://x","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"a","type":"PLAIN","value":"1"}]},"type":"HTTP"}
            """));

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal("/data/attributes/integration/credentials/tokens/0/type", error.GetProperty("source").GetProperty("pointer").GetString());
        Assert.Contains("SECRET", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_ConcurrentPatchesOfDifferentHeaders_LoseNoUpdate()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(Integration);

        var patches = Enumerable.Range(0, 16).Select(i => app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update(
            "{\"integration\":{\"type\":\"HTTP\",\"credentials\":{\"type\":\"HTTPTokenAuth\",\"headers\":[{\"name\":\"h" + i + "\",\"value\":\"v" + i + "\"}]}}}")));
        var responses = await Task.WhenAll(patches);

        Assert.All(responses, r => Assert.Equal(200, r.Status));
        var headers = (await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}")).Json
            .GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("headers")
            .EnumerateArray().Select(h => h.GetProperty("name").GetString()).ToHashSet();
        for (var i = 0; i < 16; i++)
        {
            Assert.Contains($"h{i}", headers);
        }
    }

    /// <summary>Decrypts the stored secrets through the service's own seam, as a connection's user would.</summary>
    internal static async Task<Dictionary<string, string>> RevealAsync(TestApp app, string id)
    {
        var record = await app.Service<IConnectionStore>().FindAsync(app.OrgId, Guid.Parse(id), CancellationToken.None);
        Assert.NotNull(record);
        var protector = app.Service<ActionConnections.Secrets.ISecretProtector>();
        return record.SealedSecrets.ToDictionary(s => s.Key, s => protector.Unprotect(s.Value, new ActionConnections.Secrets.SecretContext(record.OrgId, record.Id, s.Key)));
    }

    internal static JsonElement Credentials(TestResponse response) =>
        response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials");
}
