using System.Text.Json;

using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

using static ActionConnections.Tests.KeyManagement.KeyApiClient;

namespace ActionConnections.Tests.KeyManagement;

public sealed class OrgAppKeysApiTests
{
    [Fact]
    public async Task ListOrgAppKeys_StandardUser_ReturnsEveryKeyOfTheOrgWithOwner()
    {
        await using var app = await TestApp.StartAsync();
        var (user, client, userKeyId) = await app.CreateUserAsync(Role.Standard);
        await app.CreateTenantAsync(registerKey: false);

        var response = await client.GetJsonAsync(OrgAppKeysPath);

        Assert.Equal(200, response.Status);
        var items = response.Json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(new[] { app.AppKeyId, userKeyId }.Order(), items.Select(i => i.GetProperty("id").GetGuid()).Order());
        var owners = items.ToDictionary(i => i.GetProperty("id").GetGuid(), i => i.GetProperty("relationships").GetProperty("owned_by").GetProperty("data").GetProperty("id").GetGuid());
        Assert.Equal(app.AdminId, owners[app.AppKeyId]);
        Assert.Equal(user.Id, owners[userKeyId]);
        Assert.All(items, i => Assert.False(i.GetProperty("attributes").TryGetProperty("key", out _)));
        Assert.EndsWith("""],"meta":{"page":{"total_filtered_count":2},"max_allowed_per_user":1000}}""", response.Body);
    }

    [Fact]
    public async Task ListOrgAppKeys_ReadOnlyUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.ReadOnly);

        var response = await client.GetJsonAsync(OrgAppKeysPath);

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions org_app_keys_read"]}""", response.Body);
    }

    [Fact]
    public async Task GetOrgAppKey_AnyOwner_ReturnsKeyWithoutSecret()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("org visible", """["connections_read"]""");
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.GetJsonAsync($"{OrgAppKeysPath}/{created.Id}");

        Assert.Equal(200, response.Status);
        var data = response.Json.GetProperty("data");
        var createdAt = data.GetProperty("attributes").GetProperty("created_at").GetString();
        var expected = Fill(
            """
            {"data":{"type":"application_keys","id":"{id}","attributes":{"name":"org visible","created_at":"{created_at}","last4":"{last4}","scopes":["connections_read"],"last_used_at":null},"relationships":{"owned_by":{"data":{"type":"users","id":"{admin}"}},"leak_information":{"data":null}}}}
            """,
            ("id", created.Id), ("created_at", createdAt), ("last4", created.Key[^4..]), ("admin", app.AdminId));
        Assert.Equal(expected, response.Body);
    }

    [Fact]
    public async Task GetOrgAppKey_ReadOnlyUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.ReadOnly);

        var response = await client.GetJsonAsync($"{OrgAppKeysPath}/{app.AppKeyId}");

        Assert.Equal(403, response.Status);
    }

    [Theory]
    [InlineData("invalidId")]
    [InlineData("00000000-0000-0000-0000-000000000001")]
    public async Task GetOrgAppKey_UnknownOrMalformedId_Returns404(string id)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{OrgAppKeysPath}/{id}");

        Assert.Equal(404, response.Status);
        Assert.Equal("""{"errors":["Application key not found"]}""", response.Body);
    }

    [Fact]
    public async Task OrgAppKeys_OtherOrganizationsKey_Returns404()
    {
        await using var app = await TestApp.StartAsync();
        var tenant = await app.CreateTenantAsync(registerKey: false);

        var get = await app.Client.GetJsonAsync($"{OrgAppKeysPath}/{tenant.AppKeyId}");
        var patch = await app.Client.PatchKeyAsync(OrgAppKeysPath, tenant.AppKeyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"scopes":["connections_read"]}}}""");
        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{OrgAppKeysPath}/{tenant.AppKeyId}");
        var tenantList = await tenant.Client.GetJsonAsync(OrgAppKeysPath);

        Assert.Equal(404, get.Status);
        Assert.Equal(404, patch.Status);
        Assert.Equal(404, delete.Status);
        Assert.Equal(200, tenantList.Status);
        var tenantKey = Assert.Single(tenantList.Json.GetProperty("data").EnumerateArray());
        Assert.Equal(tenant.AppKeyId, tenantKey.GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, tenantKey.GetProperty("attributes").GetProperty("scopes").ValueKind);
    }

    [Fact]
    public async Task UpdateOrgAppKey_AnotherUsersKey_Returns200WithoutSecret()
    {
        await using var app = await TestApp.StartAsync();
        var (user, _, userKeyId) = await app.CreateUserAsync(Role.Standard);

        var response = await app.Client.PatchKeyAsync(OrgAppKeysPath, userKeyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"renamed by admin","scopes":["connections_read"]}}}""");

        Assert.Equal(200, response.Status);
        var data = response.Json.GetProperty("data");
        Assert.Equal("renamed by admin", data.GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal("connections_read", Assert.Single(data.GetProperty("attributes").GetProperty("scopes").EnumerateArray()).GetString());
        Assert.False(data.GetProperty("attributes").TryGetProperty("key", out _));
        Assert.Equal(user.Id, data.GetProperty("relationships").GetProperty("owned_by").GetProperty("data").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task UpdateOrgAppKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.Standard);

        var response = await client.PatchKeyAsync(OrgAppKeysPath, keyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"x"}}}""");

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions org_app_keys_write"]}""", response.Body);
    }

    [Fact]
    public async Task UpdateOrgAppKey_ScopedKeyUnscopingItself_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, keyId) = await app.CreateUserAsync(Role.Admin, ["org_app_keys_write"]);

        var response = await client.PatchKeyAsync(OrgAppKeysPath, keyId, """{"data":{"type":"application_keys","id":"{id}","attributes":{"scopes":null}}}""");

        Assert.Equal(403, response.Status);
        Assert.StartsWith("""{"errors":["Forbidden: the application key would have permissions""", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteOrgAppKey_CreatedForCurrentUser_Returns204ThenCurrentUserPath404()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("delete via org");

        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{OrgAppKeysPath}/{created.Id}");
        var viaCurrentUser = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{MyAppKeysPath}/{created.Id}");

        Assert.Equal(204, delete.Status);
        Assert.Equal(404, viaCurrentUser.Status);
        Assert.Equal("""{"errors":["Application key not found"]}""", viaCurrentUser.Body);
    }

    [Fact]
    public async Task DeleteOrgAppKey_RegisteredKey_RemovesRegistration()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.CreateAppKeyAsync("registered");
        Assert.Equal(201, (await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{created.Id}")).Status);

        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{OrgAppKeysPath}/{created.Id}");
        var registration = await app.Client.GetJsonAsync($"/api/v2/actions/app_key_registrations/{created.Id}");

        Assert.Equal(204, delete.Status);
        Assert.Equal(404, registration.Status);
    }

    [Fact]
    public async Task DeleteOrgAppKey_StandardUser_Returns403AndKeepsKey()
    {
        await using var app = await TestApp.StartAsync();
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.SendJsonAsync(HttpMethod.Delete, $"{OrgAppKeysPath}/{app.AppKeyId}");

        Assert.Equal(403, response.Status);
        Assert.Equal(200, (await app.Client.GetJsonAsync($"{OrgAppKeysPath}/{app.AppKeyId}")).Status);
    }

    [Fact]
    public async Task CreateOrgAppKey_NoSuchOperation_Returns405()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, OrgAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"k"}}}""");

        Assert.Equal(405, response.Status);
        Assert.Equal("""{"errors":["Method Not Allowed"]}""", response.Body);
    }
}
