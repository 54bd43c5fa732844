using System.Text.Json;

using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

using static ActionConnections.Tests.KeyManagement.KeyApiClient;

namespace ActionConnections.Tests.KeyManagement;

public sealed class CurrentUserAppKeysApiTests
{
    [Fact]
    public async Task CreateMyAppKey_Unscoped_Returns201WithKeyAndOwner()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, MyAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"my key"}}}""");

        Assert.Equal(201, response.Status);
        Assert.Equal("application/json", response.ContentType);
        var data = response.Json.GetProperty("data");
        var id = data.GetProperty("id").GetGuid();
        var attributes = data.GetProperty("attributes");
        var key = attributes.GetProperty("key").GetString()!;
        var createdAt = attributes.GetProperty("created_at").GetString();
        Assert.Matches("^[0-9a-f]{40}$", key);
        AssertTimestamp(attributes.GetProperty("created_at"));
        var expected = Fill(
            """
            {"data":{"type":"application_keys","id":"{id}","attributes":{"name":"my key","created_at":"{created_at}","last4":"{last4}","key":"{key}","scopes":null,"last_used_at":null},"relationships":{"owned_by":{"data":{"type":"users","id":"{admin}"}},"leak_information":{"data":null}}}}
            """,
            ("id", id), ("created_at", createdAt), ("last4", key[^4..]), ("key", key), ("admin", app.AdminId));
        Assert.Equal(expected, response.Body);
    }

    [Fact]
    public async Task CreateMyAppKey_WithScopes_EchoesScopes()
    {
        await using var app = await TestApp.StartAsync();

        var created = await app.Client.CreateAppKeyAsync("scoped", """["dashboards_read","dashboards_write","dashboards_public_share"]""");

        var scopes = created.Response.Json.GetProperty("data").GetProperty("attributes").GetProperty("scopes");
        Assert.Equal(["dashboards_read", "dashboards_write", "dashboards_public_share"], scopes.EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    [Fact]
    public async Task CreateMyAppKey_NewKey_AuthenticatesWithItsScopes()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("read api keys only", """["api_keys_read"]""");
        using var client = app.CreateClient(TestApp.ApiKey, created.Key);

        var allowed = await client.GetJsonAsync(ApiKeysPath);
        var outOfScope = await client.GetJsonAsync(MyAppKeysPath);

        Assert.Equal(200, allowed.Status);
        Assert.Equal(403, outOfScope.Status);
    }

    [Fact]
    public async Task CreateMyAppKey_KeyWithoutUserAppKeys_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Admin, ["connections_read"]);

        var response = await client.SendJsonAsync(HttpMethod.Post, MyAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"k"}}}""");

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions user_app_keys"]}""", response.Body);
    }

    [Fact]
    public async Task CreateMyAppKey_ScopedKeyAskingForMore_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Admin, ["user_app_keys"]);

        var unscoped = await client.SendJsonAsync(HttpMethod.Post, MyAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"escalate"}}}""");
        var wider = await client.SendJsonAsync(
            HttpMethod.Post, MyAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"escalate","scopes":["user_app_keys","api_keys_write"]}}}""");
        var same = await client.SendJsonAsync(
            HttpMethod.Post, MyAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"fine","scopes":["user_app_keys","dashboards_read"]}}}""");

        Assert.Equal(403, unscoped.Status);
        Assert.StartsWith("""{"errors":["Forbidden: the application key would have permissions the calling key does not have: """, unscoped.Body, StringComparison.Ordinal);
        Assert.Equal(403, wider.Status);
        Assert.Equal("""{"errors":["Forbidden: the application key would have permissions the calling key does not have: api_keys_write"]}""", wider.Body);
        Assert.Equal(201, same.Status);
    }

    [Fact]
    public async Task ListMyAppKeys_OnlyOwnKeysWithoutOwnerOrSecret()
    {
        await using var app = await TestApp.StartAsync();
        var mine = await app.Client.CreateAppKeyAsync("mine");
        var (_, otherClient, otherKeyId) = await app.CreateUserAsync(Role.Standard);

        var response = await app.Client.GetJsonAsync(MyAppKeysPath);

        Assert.Equal(200, response.Status);
        var items = response.Json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(new[] { app.AppKeyId, mine.Id }.Order(), items.Select(i => i.GetProperty("id").GetGuid()).Order());
        Assert.All(items, i =>
        {
            Assert.Equal("application_keys", i.GetProperty("type").GetString());
            Assert.False(i.GetProperty("attributes").TryGetProperty("key", out _));
            Assert.False(i.GetProperty("relationships").TryGetProperty("owned_by", out _));
            Assert.Equal(JsonValueKind.Null, i.GetProperty("attributes").GetProperty("last_used_at").ValueKind);
        });
        Assert.EndsWith("""],"meta":{"page":{"total_filtered_count":2},"max_allowed_per_user":1000}}""", response.Body);
        var others = await otherClient.GetJsonAsync(MyAppKeysPath);
        Assert.Equal(otherKeyId, Assert.Single(others.Json.GetProperty("data").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task ListMyAppKeys_KeyWithoutUserAppKeys_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Standard, ["connections_read"]);

        var response = await client.GetJsonAsync(MyAppKeysPath);

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task ListMyAppKeys_ReadOnlyUser_Returns200()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.ReadOnly);

        var response = await client.GetJsonAsync(MyAppKeysPath);

        Assert.Equal(200, response.Status);
        Assert.Equal(keyId, Assert.Single(response.Json.GetProperty("data").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task GetMyAppKey_Own_ReturnsKeyWithOwnerWithoutSecret()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("mine");

        var response = await app.Client.GetJsonAsync($"{MyAppKeysPath}/{created.Id}");

        Assert.Equal(200, response.Status);
        var data = response.Json.GetProperty("data");
        Assert.Equal(created.Id, data.GetProperty("id").GetGuid());
        Assert.False(data.GetProperty("attributes").TryGetProperty("key", out _));
        Assert.DoesNotContain(created.Key, response.Body, StringComparison.Ordinal);
        Assert.Equal(app.AdminId, data.GetProperty("relationships").GetProperty("owned_by").GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("attributes").GetProperty("scopes").ValueKind);
    }

    [Fact]
    public async Task GetMyAppKey_KeyWithoutUserAppKeys_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.Admin, ["api_keys_read"]);

        var response = await client.GetJsonAsync($"{MyAppKeysPath}/{keyId}");

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task GetMyAppKey_AnotherUsersKey_Returns404()
    {
        await using var app = await TestApp.StartAsync();
        var (_, _, otherKeyId) = await app.CreateUserAsync(Role.Standard);

        var get = await app.Client.GetJsonAsync($"{MyAppKeysPath}/{otherKeyId}");
        var patch = await app.Client.PatchKeyAsync(MyAppKeysPath, otherKeyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"mine now"}}}""");
        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{MyAppKeysPath}/{otherKeyId}");

        Assert.Equal(404, get.Status);
        Assert.Equal("""{"errors":["Application key not found"]}""", get.Body);
        Assert.Equal(404, patch.Status);
        Assert.Equal(404, delete.Status);
        Assert.Equal(200, (await app.Client.GetJsonAsync($"{OrgAppKeysPath}/{otherKeyId}")).Status);
    }

    [Fact]
    public async Task GetMyAppKey_MalformedId_Returns404RecordedBody()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{MyAppKeysPath}/incorrectId");

        Assert.Equal(404, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"errors":["Application key not found"]}""", response.Body);
    }

    [Fact]
    public async Task UpdateMyAppKey_Name_KeepsScopes()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("before", """["dashboards_read"]""");

        var response = await app.Client.PatchKeyAsync(MyAppKeysPath, created.Id, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"before-updated"}}}""");

        Assert.Equal(200, response.Status);
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal("before-updated", attributes.GetProperty("name").GetString());
        Assert.Equal("dashboards_read", Assert.Single(attributes.GetProperty("scopes").EnumerateArray()).GetString());
        Assert.False(attributes.TryGetProperty("key", out _));
        Assert.Equal(app.AdminId, response.Json.GetProperty("data").GetProperty("relationships").GetProperty("owned_by").GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task UpdateMyAppKey_Scopes_ChangeWhatTheKeyMayDo()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("rescoped");
        using var client = app.CreateClient(TestApp.ApiKey, created.Key);
        Assert.Equal(200, (await client.GetJsonAsync(ApiKeysPath)).Status);

        var narrow = await app.Client.PatchKeyAsync(MyAppKeysPath, created.Id, """{"data":{"type":"application_keys","id":"{id}","attributes":{"scopes":["connections_read"]}}}""");
        var narrowed = await client.GetJsonAsync(ApiKeysPath);
        var widen = await app.Client.PatchKeyAsync(MyAppKeysPath, created.Id, """{"data":{"type":"application_keys","id":"{id}","attributes":{"scopes":null}}}""");
        var widened = await client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(200, narrow.Status);
        Assert.Equal("rescoped", narrow.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(403, narrowed.Status);
        Assert.Equal(200, widen.Status);
        Assert.Equal(JsonValueKind.Null, widen.Json.GetProperty("data").GetProperty("attributes").GetProperty("scopes").ValueKind);
        Assert.Equal(200, widened.Status);
    }

    [Fact]
    public async Task UpdateMyAppKey_ScopedKeyUnscopingItself_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.Admin, ["user_app_keys"]);

        var response = await client.PatchKeyAsync(MyAppKeysPath, keyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"scopes":null}}}""");
        var rename = await client.PatchKeyAsync(MyAppKeysPath, keyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"renamed"}}}""");

        Assert.Equal(403, response.Status);
        Assert.Equal(200, rename.Status);
    }

    [Fact]
    public async Task UpdateMyAppKey_KeyWithoutUserAppKeys_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.Admin, ["api_keys_read"]);

        var response = await client.PatchKeyAsync(MyAppKeysPath, keyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"x"}}}""");

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task DeleteMyAppKey_Own_Returns204Then404AndKeyStopsAuthenticating()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("to delete");
        using var client = app.CreateClient(TestApp.ApiKey, created.Key);
        Assert.Equal(200, (await client.GetJsonAsync(MyAppKeysPath)).Status);

        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{MyAppKeysPath}/{created.Id}");
        var again = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{MyAppKeysPath}/{created.Id}");
        var afterDelete = await client.GetJsonAsync(MyAppKeysPath);

        Assert.Equal(204, delete.Status);
        Assert.Equal(string.Empty, delete.Body);
        Assert.Equal(404, again.Status);
        Assert.Equal("""{"errors":["Application key not found"]}""", again.Body);
        Assert.Equal(403, afterDelete.Status);
    }

    [Fact]
    public async Task DeleteMyAppKey_KeyWithoutUserAppKeys_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.Admin, ["api_keys_read"]);

        var response = await client.SendJsonAsync(HttpMethod.Delete, $"{MyAppKeysPath}/{keyId}");

        Assert.Equal(403, response.Status);
        Assert.Equal(200, (await client.GetJsonAsync(ApiKeysPath)).Status);
    }

    [Fact]
    public async Task MyAppKey_CreateListGetUpdateDelete_RoundTrips()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.ReadOnly);

        var created = await client.CreateAppKeyAsync("round trip", """["connections_read"]""");
        var list = await client.GetJsonAsync($"{MyAppKeysPath}?filter=ROUND");
        var get = await client.GetJsonAsync($"{MyAppKeysPath}/{created.Id}");
        var update = await client.PatchKeyAsync(MyAppKeysPath, created.Id, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"round trip 2"}}}""");
        var delete = await client.SendJsonAsync(HttpMethod.Delete, $"{MyAppKeysPath}/{created.Id}");
        var listAfter = await client.GetJsonAsync($"{MyAppKeysPath}?filter=round");

        Assert.Equal(created.Id, Assert.Single(list.Json.GetProperty("data").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(200, get.Status);
        Assert.Equal("round trip 2", update.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(204, delete.Status);
        Assert.Equal("""{"data":[],"meta":{"page":{"total_filtered_count":0},"max_allowed_per_user":1000}}""", listAfter.Body);
    }
}
