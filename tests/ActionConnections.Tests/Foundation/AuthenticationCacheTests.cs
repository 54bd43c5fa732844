using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// The authentication cache: changes made through this server's API apply at once; changes
/// made elsewhere (the store directly, as the CLI or another replica does) within the bound.
/// </summary>
public sealed class AuthenticationCacheTests
{
    private const string Registrations = "/api/v2/actions/app_key_registrations";

    [Fact]
    public async Task RevocationThroughTheApi_AppliesAtOnceDespiteTheCache()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthCacheSeconds"] = "60" });
        var created = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/current_user/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"bot"}}}""");
        var key = created.Json.GetProperty("data").GetProperty("attributes").GetProperty("key").GetString();
        var id = created.Json.GetProperty("data").GetProperty("id").GetString();
        using var bot = app.CreateClient(TestApp.ApiKey, key);
        Assert.Equal(200, (await bot.GetJsonAsync(Registrations)).Status);

        Assert.Equal(204, (await app.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/current_user/application_keys/{id}")).Status);

        Assert.Equal(403, (await bot.GetJsonAsync(Registrations)).Status);
    }

    [Fact]
    public async Task UnregisteringThroughTheApi_AppliesAtOnceDespiteTheCache()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthCacheSeconds"] = "60" });
        await app.RegisterBootstrapKeyAsync();
        Assert.Equal(200, (await app.Client.GetJsonAsync("/api/v2/actions/connections")).Status);

        Assert.Equal(204, (await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Registrations}/{app.AppKeyId}")).Status);

        Assert.Equal(403, (await app.Client.GetJsonAsync("/api/v2/actions/connections")).Status);
    }

    [Fact]
    public async Task RevocationElsewhere_AppliesWithinTheBound()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthCacheSeconds"] = "1" });
        var user = await app.CreateUserAsync(Auth.Role.Standard);
        Assert.Equal(200, (await user.Client.GetJsonAsync(Registrations)).Status);

        // As the CLI or another replica would: straight in the store, not through this server.
        Assert.True(await app.Service<IIdentityStore>().DisablePrincipalAsync(app.OrgId, user.Principal.Id, CancellationToken.None));
        var cached = await user.Client.GetJsonAsync(Registrations);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var expired = await user.Client.GetJsonAsync(Registrations);

        Assert.Equal(200, cached.Status);
        Assert.Equal(403, expired.Status);
    }

    [Fact]
    public async Task CachedPair_DoesNotAdmitTheSameApiKeyWithAnotherAppKey()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthCacheSeconds"] = "60" });
        Assert.Equal(200, (await app.Client.GetJsonAsync(Registrations)).Status);

        using var wrongAppKey = app.CreateClient(TestApp.ApiKey, "abcdef0123456789abcdef0123456789abcdef01");
        using var wrongApiKey = app.CreateClient("abcdef0123456789abcdef0123456789", TestApp.AppKey);

        Assert.Equal(403, (await wrongAppKey.GetJsonAsync(Registrations)).Status);
        Assert.Equal(403, (await wrongApiKey.GetJsonAsync(Registrations)).Status);
        Assert.Equal(200, (await app.Client.GetJsonAsync(Registrations)).Status);
    }

    [Fact]
    public async Task FailedAuthentications_AreNeverCached()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthCacheSeconds"] = "60" });
        const string ApiKey = "abcdef0123456789abcdef0123456789";
        const string AppKey = "abcdef0123456789abcdef0123456789abcdef01";
        using var client = app.CreateClient(ApiKey, AppKey);
        Assert.Equal(403, (await client.GetJsonAsync(Registrations)).Status);

        await app.Service<IIdentityStore>().CreateOrganizationAsync("later", "admin", ApiKey, AppKey, CancellationToken.None);

        Assert.Equal(200, (await client.GetJsonAsync(Registrations)).Status);
    }
}
