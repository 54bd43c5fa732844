using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>Registered keys, permissions, scopes and tenancy on every connection operation.</summary>
public sealed class ConnectionAccessTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task AllOperations_UnregisteredKey_Return403ExplainingRegistration()
    {
        await using var app = await TestApp.StartAsync();
        const string Id = "aaa11111-aa11-aa11-aaaa-aaaaaa111111";

        var responses = new[]
        {
            await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration)),
            await app.Client.GetJsonAsync($"{Connections}/{Id}"),
            await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{Id}", ConnectionBodies.Update("""{"name":"x"}""")),
            await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{Id}"),
            await app.Client.GetJsonAsync(Connections),
        };

        var expected = $$$"""{"errors":[{"status":"403","title":"Forbidden","detail":"This API requires a registered application key. Register it with PUT /api/v2/actions/app_key_registrations/{{{app.AppKeyId}}} and retry."}]}""";
        Assert.All(responses, r => Assert.Equal((403, expected), (r.Status, r.Body)));
    }

    [Fact]
    public async Task Connections_UnregisteringKey_StopsAccess()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);

        var unregister = await app.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/app_key_registrations/{app.AppKeyId}");
        var get = await app.Client.GetJsonAsync($"{Connections}/{id}");

        Assert.Equal(204, unregister.Status);
        Assert.Equal(403, get.Status);
    }

    [Fact]
    public async Task ScopedKey_ConnectionsReadOnly_CanReadButNotWrite()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var (_, client, keyId) = await app.CreateUserAsync(Role.Admin, ["connections_read"]);
        Assert.Equal(201, (await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{keyId}")).Status);

        var get = await client.GetJsonAsync($"{Connections}/{id}");
        var list = await client.GetJsonAsync(Connections);
        var create = await client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration));
        var update = await client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"name":"x"}"""));
        var delete = await client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}");

        Assert.Equal(200, get.Status);
        Assert.False(get.Json.GetProperty("data").GetProperty("attributes").GetProperty("acting_user_can_resolve").GetBoolean());
        Assert.Equal(200, list.Status);
        Assert.All([create, update, delete], r => Assert.Equal(403, r.Status));
        Assert.Contains("connection_write", create.Body, StringComparison.Ordinal);
        Assert.Equal(200, (await app.Client.GetJsonAsync($"{Connections}/{id}")).Status);
    }

    [Fact]
    public async Task ReadOnlyUser_RegisteredOwnKey_CanReadButNotCreate()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var (_, client, keyId) = await app.CreateUserAsync(Role.ReadOnly);
        Assert.Equal(201, (await client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{keyId}")).Status);

        Assert.Equal(200, (await client.GetJsonAsync($"{Connections}/{id}")).Status);
        Assert.Equal(403, (await client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration))).Status);
    }

    [Fact]
    public async Task OtherOrganisation_EveryOperation_GetsWhatAMissingConnectionGets()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var other = await app.CreateTenantAsync();
        const string Missing = "aaa11111-aa11-aa11-aaaa-aaaaaa111111";

        foreach (var (method, body) in new (HttpMethod, string?)[]
        {
            (HttpMethod.Get, null),
            (HttpMethod.Patch, ConnectionBodies.Update("""{"name":"stolen"}""")),
            (HttpMethod.Delete, null),
        })
        {
            var theirs = await other.Client.SendJsonAsync(method, $"{Connections}/{id}", body);
            var missing = await other.Client.SendJsonAsync(method, $"{Connections}/{Missing}", body);
            Assert.Equal((missing.Status, missing.Body), (theirs.Status, theirs.Body));
            Assert.Equal(404, theirs.Status);
        }

        var list = await other.Client.GetJsonAsync(Connections);
        Assert.Equal("""{"data":[],"meta":{"total":0,"total_filtered":0}}""", list.Body);
        var mine = await app.Client.GetJsonAsync($"{Connections}/{id}");
        Assert.Equal("Cassette Connection", mine.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
    }
}
