using System.Text.Json;

using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

using static ActionConnections.Tests.KeyManagement.KeyApiClient;

namespace ActionConnections.Tests.KeyManagement;

public sealed class ServiceAccountAppKeysApiTests
{
    [Fact]
    public async Task ListServiceAccountKeys_NewAccount_ReturnsRecordedEmptyList()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);

        var response = await app.Client.GetJsonAsync(PathOf(account.Id));

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("""{"data":[],"meta":{"page":{"total_filtered_count":0},"max_allowed_per_user":1000}}""", response.Body);
    }

    [Fact]
    public async Task ListServiceAccountKeys_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.GetJsonAsync(PathOf(account.Id));

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":["Forbidden: this operation requires one of the permissions service_account_write"]}""", response.Body);
    }

    [Fact]
    public async Task CreateServiceAccountKey_WithScopes_Returns201WithKeyOwnedByAccount()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);

        var response = await app.Client.SendJsonAsync(
            HttpMethod.Post, PathOf(account.Id), """{"data":{"type":"application_keys","attributes":{"name":"sa key","scopes":["dashboards_read","dashboards_write","dashboards_public_share"]}}}""");

        Assert.Equal(201, response.Status);
        var data = response.Json.GetProperty("data");
        var key = data.GetProperty("attributes").GetProperty("key").GetString()!;
        Assert.Matches("^[0-9a-f]{40}$", key);
        Assert.Equal(3, data.GetProperty("attributes").GetProperty("scopes").GetArrayLength());
        Assert.Equal(account.Id, data.GetProperty("relationships").GetProperty("owned_by").GetProperty("data").GetProperty("id").GetGuid());
        using var client = app.CreateClient(TestApp.ApiKey, key);
        Assert.Equal(403, (await client.GetJsonAsync(ApiKeysPath)).Status);
    }

    [Fact]
    public async Task CreateServiceAccountKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.SendJsonAsync(HttpMethod.Post, PathOf(account.Id), """{"data":{"type":"application_keys","attributes":{"name":"k"}}}""");

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task CreateServiceAccountKey_UserIsNotAServiceAccount_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var (user, _, _) = await app.CreateUserAsync(Role.Standard);

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf(user.Id), """{"data":{"type":"application_keys","attributes":{"name":"k"}}}""");
        var malformed = await app.Client.GetJsonAsync(PathOf("not-a-uuid"));

        // Create documents no 404; reads of an unknown account are 404s.
        Assert.Equal(400, response.Status);
        Assert.Equal("""{"errors":["Service account not found"]}""", response.Body);
        Assert.Equal(404, malformed.Status);
    }

    [Fact]
    public async Task GetServiceAccountKey_Existing_ReturnsPartialKey()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));

        var response = await app.Client.GetJsonAsync($"{PathOf(account.Id)}/{created.Id}");

        Assert.Equal(200, response.Status);
        var createdAt = response.Json.GetProperty("data").GetProperty("attributes").GetProperty("created_at").GetString();
        var expected = Fill(
            """
            {"data":{"type":"application_keys","id":"{id}","attributes":{"name":"sa key","created_at":"{created_at}","last4":"{last4}","scopes":null,"last_used_at":null},"relationships":{"leak_information":{"data":null}}}}
            """,
            ("id", created.Id), ("created_at", createdAt), ("last4", created.Key[^4..]));
        Assert.Equal(expected, response.Body);
    }

    [Fact]
    public async Task GetServiceAccountKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.GetJsonAsync($"{PathOf(account.Id)}/{created.Id}");

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task GetServiceAccountKey_KeyOfAnotherPrincipal_Returns404()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var other = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(other.Id));

        var otherAccounts = await app.Client.GetJsonAsync($"{PathOf(account.Id)}/{created.Id}");
        var adminsKey = await app.Client.GetJsonAsync($"{PathOf(account.Id)}/{app.AppKeyId}");

        Assert.Equal(404, otherAccounts.Status);
        Assert.Equal("""{"errors":["Application key not found"]}""", otherAccounts.Body);
        Assert.Equal(404, adminsKey.Status);
    }

    [Fact]
    public async Task UpdateServiceAccountKey_NewName_ReturnsPartialKey()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));

        var response = await app.Client.PatchKeyAsync(PathOf(account.Id), created.Id, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"sa key-updated"}}}""");

        Assert.Equal(200, response.Status);
        var data = response.Json.GetProperty("data");
        Assert.Equal("sa key-updated", data.GetProperty("attributes").GetProperty("name").GetString());
        Assert.False(data.GetProperty("attributes").TryGetProperty("key", out _));
        Assert.False(data.GetProperty("relationships").TryGetProperty("owned_by", out _));
    }

    [Fact]
    public async Task UpdateServiceAccountKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.PatchKeyAsync(PathOf(account.Id), created.Id, """{"data":{"type":"application_keys","id":"{id}","attributes":{"name":"x"}}}""");

        Assert.Equal(403, response.Status);
    }

    [Fact]
    public async Task DeleteServiceAccountKey_Existing_Returns204Then404()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));

        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{PathOf(account.Id)}/{created.Id}");
        var again = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{PathOf(account.Id)}/{created.Id}");
        var list = await app.Client.GetJsonAsync(PathOf(account.Id));

        Assert.Equal(204, delete.Status);
        Assert.Equal(404, again.Status);
        Assert.Equal(0, list.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
    }

    [Fact]
    public async Task DeleteServiceAccountKey_StandardUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));
        var (_, client, _) = await app.CreateUserAsync(Role.Standard);

        var response = await client.SendJsonAsync(HttpMethod.Delete, $"{PathOf(account.Id)}/{created.Id}");

        Assert.Equal(403, response.Status);
        Assert.Equal(200, (await app.Client.GetJsonAsync($"{PathOf(account.Id)}/{created.Id}")).Status);
    }

    [Fact]
    public async Task ServiceAccountKeys_OtherOrganizationsAccount_Returns404()
    {
        await using var app = await TestApp.StartAsync();
        var tenant = await app.CreateTenantAsync(registerKey: false);
        var account = await app.Service<IIdentityStore>().CreatePrincipalAsync(tenant.OrgId, PrincipalKind.ServiceAccount, "sa", null, Role.Standard, CancellationToken.None);

        var response = await app.Client.GetJsonAsync(PathOf(account.Id));

        Assert.Equal(404, response.Status);
    }

    [Fact]
    public async Task ServiceAccountKey_ListedWithoutOwner()
    {
        await using var app = await TestApp.StartAsync();
        var account = await CreateServiceAccountAsync(app);
        var created = await app.Client.CreateAppKeyAsync("sa key", path: PathOf(account.Id));

        var response = await app.Client.GetJsonAsync(PathOf(account.Id));

        var item = Assert.Single(response.Json.GetProperty("data").EnumerateArray());
        Assert.Equal(created.Id, item.GetProperty("id").GetGuid());
        Assert.False(item.GetProperty("relationships").TryGetProperty("owned_by", out _));
        Assert.Equal(JsonValueKind.Null, item.GetProperty("attributes").GetProperty("scopes").ValueKind);
    }

    private static string PathOf(Guid accountId) => PathOf(accountId.ToString());

    private static string PathOf(string accountId) => $"/api/v2/service_accounts/{accountId}/application_keys";

    private static Task<Principal> CreateServiceAccountAsync(TestApp app) =>
        app.Service<IIdentityStore>().CreatePrincipalAsync(app.OrgId, PrincipalKind.ServiceAccount, $"sa-{Guid.NewGuid():N}", null, Role.Standard, CancellationToken.None);
}
