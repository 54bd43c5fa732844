using ActionConnections.Tests.Infrastructure;

using static ActionConnections.Tests.KeyManagement.KeyApiClient;

namespace ActionConnections.Tests.KeyManagement;

public sealed class KeyRequestValidationTests
{
    [Theory]
    [InlineData("""{"data":""", """{"errors":["Malformed JSON body"]}""")]
    [InlineData("", """{"errors":["Malformed JSON body"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":"a","name":"b"}}}""", """{"errors":["Malformed JSON body"]}""")]
    [InlineData("""[]""", """{"errors":["The request body must be a JSON object"]}""")]
    [InlineData("""{}""", """{"errors":["data is required"]}""")]
    [InlineData("""{"data":null}""", """{"errors":["data is required"]}""")]
    [InlineData("""{"data":[]}""", """{"errors":["data must be an object"]}""")]
    [InlineData("""{"data":{"attributes":{"name":"k"}}}""", """{"errors":["data.type is required"]}""")]
    [InlineData("""{"data":{"type":"api_keys"}}""", """{"errors":["data.attributes is required"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":"k"}}""", """{"errors":["data.attributes must be an object"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{}}}""", """{"errors":["data.attributes.name is required"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":""}}}""", """{"errors":["data.attributes.name must not be empty"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":"   "}}}""", """{"errors":["data.attributes.name must not be empty"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":42}}}""", """{"errors":["data.attributes.name must be a string"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":"k","remote_config_read_enabled":"yes"}}}""", """{"errors":["data.attributes.remote_config_read_enabled must be a boolean"]}""")]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":"k","category":7}}}""", """{"errors":["data.attributes.category must be a string"]}""")]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"category":false,"remote_config_read_enabled":1}}}""",
        """{"errors":["data.type must be \"api_keys\"","data.attributes.name is required","data.attributes.category must be a string","data.attributes.remote_config_read_enabled must be a boolean"]}""")]
    public async Task CreateApiKey_InvalidBody_Returns400WithEveryError(string body, string expected)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(expected, response.Body);
        Assert.Equal(1, (await app.Client.GetJsonAsync(ApiKeysPath)).Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
    }

    [Fact]
    public async Task CreateApiKey_NameTooLong_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var name = new string('n', 257);

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, Fill("""{"data":{"type":"api_keys","attributes":{"name":"{name}"}}}""", ("name", name)));

        Assert.Equal(400, response.Status);
        Assert.Equal("""{"errors":["data.attributes.name must be at most 256 characters"]}""", response.Body);
    }

    [Fact]
    public async Task CreateApiKey_TooDeeplyNested_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var nested = new string('[', 100) + new string(']', 100);
        var body = Fill("""{"data":{"type":"api_keys","attributes":{"name":"k","extra":{nested}}}}""", ("nested", nested));

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("""{"errors":["Malformed JSON body"]}""", response.Body);
    }

    [Fact]
    public async Task CreateApiKey_UnknownMembers_AreIgnored()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(
            HttpMethod.Post, ApiKeysPath, """{"data":{"attributes":{"name":"k","key":"0123456789abcdef0123456789abcdef","unknown":true},"type":"api_keys","id":"ignored"},"meta":{}}""");

        Assert.Equal(201, response.Status);
        Assert.NotEqual("0123456789abcdef0123456789abcdef", response.Json.GetProperty("data").GetProperty("attributes").GetProperty("key").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task CreateApiKey_NotJsonContentType_Returns415(string contentType)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"k"}}}""", contentType);

        Assert.Equal(415, response.Status);
        Assert.Equal("""{"errors":["Content-Type must be application/json"]}""", response.Body);
    }

    [Fact]
    public async Task CreateApiKey_NoBody_Returns415()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath);

        Assert.Equal(415, response.Status);
    }

    [Theory]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":"k"}}}""", """{"errors":["data.id is required"]}""")]
    [InlineData("""{"data":{"type":"api_keys","id":"00000000-0000-0000-0000-000000000001","attributes":{"name":"k"}}}""", """{"errors":["data.id must match the id in the path"]}""")]
    [InlineData("""{"data":{"type":"api_keys","id":7,"attributes":{"name":"k"}}}""", """{"errors":["data.id must match the id in the path"]}""")]
    [InlineData("""{"data":{"type":"api_keys","id":"{id}","attributes":{"category":"c"}}}""", """{"errors":["data.attributes.name is required"]}""")]
    [InlineData("""{"data":{"type":"users","id":"{id}","attributes":{"name":""}}}""", """{"errors":["data.type must be \"api_keys\"","data.attributes.name must not be empty"]}""")]
    public async Task UpdateApiKey_InvalidBody_Returns400(string body, string expected)
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("unchanged");

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{ApiKeysPath}/{created.Id}", Fill(body, ("id", created.Id)));

        Assert.Equal(400, response.Status);
        Assert.Equal(expected, response.Body);
        var read = await app.Client.GetJsonAsync($"{ApiKeysPath}/{created.Id}");
        Assert.Equal("unchanged", read.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
    }

    [Fact]
    public async Task UpdateApiKey_BodyIdInUpperCase_MatchesPathId()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("k");

        var response = await app.Client.SendJsonAsync(
            HttpMethod.Patch, $"{ApiKeysPath}/{created.Id}", Fill("""{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"k2"}}}""", ("id", created.Id.ToString().ToUpperInvariant())));

        Assert.Equal(200, response.Status);
    }

    [Theory]
    [InlineData("""{"data":{"type":"api_keys","attributes":{"name":"k"}}}""", """{"errors":["data.type must be \"application_keys\""]}""")]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"name":"k","scopes":"dashboards_read"}}}""", """{"errors":["data.attributes.scopes must be an array of strings or null"]}""")]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"name":"k","scopes":["dashboards_read",1]}}}""", """{"errors":["data.attributes.scopes must be an array of strings or null"]}""")]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"name":"k","scopes":[]}}}""", """{"errors":["data.attributes.scopes must not be empty; send null for an unscoped key"]}""")]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"name":"k","scopes":["invalid","dashboards_read","nope","invalid"]}}}""", """{"errors":["Invalid scopes: invalid, nope"]}""")]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"scopes":["invalid"]}}}""", """{"errors":["data.attributes.name is required","Invalid scopes: invalid"]}""")]
    public async Task CreateMyAppKey_InvalidBody_Returns400(string body, string expected)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, MyAppKeysPath, body);

        Assert.Equal(400, response.Status);
        Assert.Equal(expected, response.Body);
        Assert.Single((await app.Client.GetJsonAsync(MyAppKeysPath)).Json.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task CreateServiceAccountKey_InvalidScopes_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var account = await app.Service<Identity.IIdentityStore>().CreatePrincipalAsync(
            app.OrgId, Identity.PrincipalKind.ServiceAccount, "sa", null, Auth.Role.Standard, CancellationToken.None);

        var response = await app.Client.SendJsonAsync(
            HttpMethod.Post, $"/api/v2/service_accounts/{account.Id}/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"k","scopes":["invalid"]}}}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("""{"errors":["Invalid scopes: invalid"]}""", response.Body);
    }

    [Theory]
    [InlineData("""{"data":{"type":"application_keys","attributes":{"name":"k"}}}""", """{"errors":["data.id is required"]}""")]
    [InlineData("""{"data":{"type":"application_keys","id":"{id}","attributes":{"name":null,"scopes":[]}}}""", """{"errors":["data.attributes.scopes must not be empty; send null for an unscoped key"]}""")]
    [InlineData("""{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"","scopes":["bogus"]}}}""", """{"errors":["data.attributes.name must not be empty","Invalid scopes: bogus"]}""")]
    [InlineData("""{"data":{"type":"application_keys","id":"{id}"}}""", """{"errors":["data.attributes is required"]}""")]
    public async Task UpdateOrgAppKey_InvalidBody_Returns400(string body, string expected)
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("unchanged", """["dashboards_read"]""");

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{OrgAppKeysPath}/{created.Id}", Fill(body, ("id", created.Id)));

        Assert.Equal(400, response.Status);
        Assert.Equal(expected, response.Body);
        var read = await app.Client.GetJsonAsync($"{OrgAppKeysPath}/{created.Id}");
        Assert.Equal("unchanged", read.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
    }

    [Fact]
    public async Task UpdateMyAppKey_MalformedId_Returns404BeforeReadingBody()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{MyAppKeysPath}/invalidId", "not json");

        Assert.Equal(404, response.Status);
        Assert.Equal("""{"errors":["Application key not found"]}""", response.Body);
    }
}
