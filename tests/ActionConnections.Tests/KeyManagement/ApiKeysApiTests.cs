using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

using static ActionConnections.Tests.KeyManagement.KeyApiClient;

namespace ActionConnections.Tests.KeyManagement;

public sealed class ApiKeysApiTests
{
    [Fact]
    public async Task CreateApiKey_ValidBody_Returns201WithKeyOnce()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"ci key"}}}""");

        Assert.Equal(201, response.Status);
        Assert.Equal("application/json", response.ContentType);
        var data = response.Json.GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        var attributes = data.GetProperty("attributes");
        var key = attributes.GetProperty("key").GetString()!;
        var createdAt = attributes.GetProperty("created_at").GetString();
        Assert.Matches("^[0-9a-f]{32}$", key);
        AssertTimestamp(attributes.GetProperty("created_at"));
        var expected = Fill(
            """
            {"data":{"type":"api_keys","attributes":{"created_at":"{created_at}","key":"{key}","last4":"{last4}","modified_at":"{created_at}","remote_config_read_enabled":true,"category":"default","name":"ci key","date_last_used":null},"relationships":{"created_by":{"data":{"type":"users","id":"{admin}"}},"modified_by":{"data":{"type":"users","id":"{admin}"}},"leak_information":{"data":null}},"id":"{id}"}}
            """,
            ("created_at", createdAt), ("key", key), ("last4", key[^4..]), ("admin", app.AdminId), ("id", id));
        Assert.Equal(expected, response.Body);
    }

    [Fact]
    public async Task CreateApiKey_CategoryAndRemoteConfig_AreStored()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(
            HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"k","category":"agents","remote_config_read_enabled":false}}}""");

        Assert.Equal(201, response.Status);
        var id = response.Json.GetProperty("data").GetProperty("id").GetGuid();
        var read = await app.Client.GetJsonAsync($"{ApiKeysPath}/{id}");
        var attributes = read.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal("agents", attributes.GetProperty("category").GetString());
        Assert.False(attributes.GetProperty("remote_config_read_enabled").GetBoolean());
    }

    [Fact]
    public async Task CreateApiKey_VndApiJsonContentType_IsAccepted()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(
            HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"k"}}}""", "application/vnd.api+json");

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task CreateApiKey_NewKey_Authenticates()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("second key");

        using var client = app.CreateClient(created.Key, TestApp.AppKey);
        var response = await client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task CreateApiKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"k"}}}""");

        Assert.Equal(403, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions api_keys_write"]}""", response.Body);
    }

    [Fact]
    public async Task CreateApiKey_OrgAtMaximum_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var identity = app.Service<IIdentityStore>();
        for (var i = 1; i < 200; i++)
        {
            await identity.CreateApiKeyAsync(app.OrgId, app.AdminId, $"key {i}", "default", true, CancellationToken.None);
        }

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"one too many"}}}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("""{"errors":["Maximum number of API keys (200) reached"]}""", response.Body);
    }

    [Fact]
    public async Task ListApiKeys_Admin_ReturnsPartialKeysWithMeta()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("listed key");

        var response = await app.Client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        var items = response.Json.GetProperty("data").EnumerateArray().ToList();
        string[] names = ["Default API key", "listed key"];
        Assert.Equal(names, items.Select(i => i.GetProperty("attributes").GetProperty("name").GetString()));
        Assert.All(items, i => Assert.False(i.GetProperty("attributes").TryGetProperty("key", out _)));
        var listed = items.Single(i => i.GetProperty("id").GetGuid() == created.Id);
        Assert.Equal("api_keys", listed.GetProperty("type").GetString());
        Assert.Equal(created.Key[^4..], listed.GetProperty("attributes").GetProperty("last4").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, listed.GetProperty("attributes").GetProperty("date_last_used").ValueKind);
        Assert.Equal(app.AdminId, listed.GetProperty("relationships").GetProperty("created_by").GetProperty("data").GetProperty("id").GetGuid());
        Assert.EndsWith("""],"meta":{"page":{"total_filtered_count":2},"max_allowed":200}}""", response.Body);
    }

    [Fact]
    public async Task ListApiKeys_ReadOnlyUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.ReadOnly);

        var response = await client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions api_keys_read"]}""", response.Body);
    }

    [Fact]
    public async Task ListApiKeys_StandardUser_Returns200()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task GetApiKey_Existing_ReturnsKeyWithoutSecret()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("read me");

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}/{created.Id}");

        Assert.Equal(200, response.Status);
        var data = response.Json.GetProperty("data");
        Assert.Equal(created.Id, data.GetProperty("id").GetGuid());
        Assert.Equal("read me", data.GetProperty("attributes").GetProperty("name").GetString());
        Assert.False(data.GetProperty("attributes").TryGetProperty("key", out _));
        Assert.DoesNotContain(created.Key, response.Body, StringComparison.Ordinal);
        Assert.Equal(
            created.Response.Json.GetProperty("data").GetProperty("attributes").GetProperty("created_at").GetString(),
            data.GetProperty("attributes").GetProperty("created_at").GetString());
    }

    [Fact]
    public async Task GetApiKey_ReadOnlyUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("k");
        var (_, client, _) = await app.CreateUserAsync(Role.ReadOnly);

        var response = await client.GetJsonAsync($"{ApiKeysPath}/{created.Id}");

        Assert.Equal(403, response.Status);
    }

    [Theory]
    [InlineData("invalidId")]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    public async Task GetApiKey_UnknownOrMalformedId_Returns404RecordedBody(string id)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}/{id}");

        Assert.Equal(404, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"errors":["API key not found"]}""", response.Body);
    }

    [Fact]
    public async Task GetApiKey_OtherOrganizationsKey_Returns404()
    {
        await using var app = await TestApp.StartAsync();
        var tenant = await app.CreateTenantAsync(registerKey: false);

        var get = await app.Client.GetJsonAsync($"{ApiKeysPath}/{tenant.Created.ApiKey.Record.Id}");
        var patch = await app.Client.PatchKeyAsync(ApiKeysPath, tenant.Created.ApiKey.Record.Id, """{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"taken"}}}""");
        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{ApiKeysPath}/{tenant.Created.ApiKey.Record.Id}");
        var list = await app.Client.GetJsonAsync(ApiKeysPath);
        var tenantList = await tenant.Client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(404, get.Status);
        Assert.Equal(404, patch.Status);
        Assert.Equal(404, delete.Status);
        Assert.DoesNotContain(tenant.Created.ApiKey.Record.Id.ToString(), list.Body, StringComparison.Ordinal);
        Assert.Equal(200, tenantList.Status);
        Assert.Equal("Default API key", tenantList.Json.GetProperty("data")[0].GetProperty("attributes").GetProperty("name").GetString());
    }

    [Fact]
    public async Task UpdateApiKey_NewName_ReturnsUpdatedKeyWithoutSecret()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("before");

        var response = await app.Client.PatchKeyAsync(ApiKeysPath, created.Id, """{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"after","category":"ops"}}}""");

        Assert.Equal(200, response.Status);
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal("after", attributes.GetProperty("name").GetString());
        Assert.Equal("ops", attributes.GetProperty("category").GetString());
        Assert.True(attributes.GetProperty("remote_config_read_enabled").GetBoolean());
        Assert.False(attributes.TryGetProperty("key", out _));
        var read = await app.Client.GetJsonAsync($"{ApiKeysPath}/{created.Id}");
        Assert.Equal("after", read.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
    }

    [Fact]
    public async Task UpdateApiKey_ByOtherAdmin_SetsModifiedBy()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("k");
        var (admin, client, _) = await app.CreateUserAsync(Role.Admin);

        var response = await client.PatchKeyAsync(ApiKeysPath, created.Id, """{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"renamed"}}}""");

        Assert.Equal(200, response.Status);
        var relationships = response.Json.GetProperty("data").GetProperty("relationships");
        Assert.Equal(app.AdminId, relationships.GetProperty("created_by").GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(admin.Id, relationships.GetProperty("modified_by").GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task UpdateApiKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("k");
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.PatchKeyAsync(ApiKeysPath, created.Id, """{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"x"}}}""");

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions api_keys_write"]}""", response.Body);
    }

    [Fact]
    public async Task UpdateApiKey_UnknownId_Returns404()
    {
        await using var app = await TestApp.StartAsync();
        var id = Guid.NewGuid();

        var response = await app.Client.PatchKeyAsync(ApiKeysPath, id, """{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"x"}}}""");

        Assert.Equal(404, response.Status);
        Assert.Equal("""{"errors":["API key not found"]}""", response.Body);
    }

    [Fact]
    public async Task DeleteApiKey_Existing_Returns204ThenKeyStopsAuthenticating()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("short-lived");
        using var client = app.CreateClient(created.Key, TestApp.AppKey);
        Assert.Equal(200, (await client.GetJsonAsync(ApiKeysPath)).Status);

        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{ApiKeysPath}/{created.Id}");
        var afterDelete = await client.GetJsonAsync(ApiKeysPath);
        var again = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{ApiKeysPath}/{created.Id}");
        var get = await app.Client.GetJsonAsync($"{ApiKeysPath}/{created.Id}");

        Assert.Equal(204, delete.Status);
        Assert.Equal(string.Empty, delete.Body);
        Assert.Equal(403, afterDelete.Status);
        Assert.Equal(404, again.Status);
        Assert.Equal("""{"errors":["API key not found"]}""", again.Body);
        Assert.Equal(404, get.Status);
    }

    [Fact]
    public async Task DeleteApiKey_StandardUser_Returns403AndKeepsKey()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateApiKeyAsync("k");
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.SendJsonAsync(HttpMethod.Delete, $"{ApiKeysPath}/{created.Id}");

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions api_keys_delete"]}""", response.Body);
        Assert.Equal(200, (await app.Client.GetJsonAsync($"{ApiKeysPath}/{created.Id}")).Status);
    }

    [Fact]
    public async Task ApiKey_CreateListGetUpdateDelete_RoundTrips()
    {
        await using var app = await TestApp.StartAsync();

        var created = await app.Client.CreateApiKeyAsync("round trip");
        var list = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter=round");
        var get = await app.Client.GetJsonAsync($"{ApiKeysPath}/{created.Id}");
        var update = await app.Client.PatchKeyAsync(ApiKeysPath, created.Id, """{"data":{"type":"api_keys","id":"{id}","attributes":{"name":"round trip 2"}}}""");
        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{ApiKeysPath}/{created.Id}");
        var listAfter = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter=round");

        Assert.Equal(created.Id, list.Json.GetProperty("data")[0].GetProperty("id").GetGuid());
        Assert.Equal(1, list.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
        Assert.Equal(200, get.Status);
        Assert.Equal("round trip 2", update.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(204, delete.Status);
        Assert.Equal("""{"data":[],"meta":{"page":{"total_filtered_count":0},"max_allowed":200}}""", listAfter.Body);
    }
}
