using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cloud;

/// <summary>
/// Who may mint, which connections can, and what is refused before any provider is asked: in
/// process, with every provider endpoint at a closed loopback port.
/// </summary>
public sealed class CloudCredentialsAccessTests
{
    private const string MintBody = """{"data":{"type":"credentials_request","attributes":{"duration_seconds":900}}}""";

    private const string Azure = """{"type":"Azure","credentials":{"type":"AzureTenant","tenant_id":"t","app_client_id":"c","client_secret":"s3cr3t-value"}}""";

    private static string PathOf(string id) => CloudCredentialsTests.PathOf(id);

    [Fact]
    public async Task Credentials_UnregisteredKey_Is403ExplainingRegistration()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf("aaa11111-aa11-aa11-aaaa-aaaaaa111111"), MintBody);

        ApiAssert.JsonApiBody(response, 403, $$$"""{"errors":[{"status":"403","title":"Forbidden","detail":"This API requires a registered application key. Register it with PUT /api/v2/actions/app_key_registrations/{{{app.AppKeyId}}} and retry."}]}""");
    }

    [Fact]
    public async Task Credentials_WithoutConnectionsResolve_Is403_AndAudited()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(CloudCredentialsTests.AwsBody("Role"));
        var (_, client, keyId) = await app.CreateUserAsync(Role.ReadOnly);
        Assert.Equal(201, (await client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{keyId}")).Status);

        var response = await client.SendJsonAsync(HttpMethod.Post, PathOf(id), MintBody);

        ApiAssert.JsonApiBody(response, 403, """{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden: this operation requires one of the permissions connections_resolve"}]}""");
        var audit = await app.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.credentials");
        var attributes = Assert.Single(audit.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal("failure", attributes.GetProperty("outcome").GetString());
        Assert.Equal(403, attributes.GetProperty("status").GetInt32());
        Assert.Equal(keyId.ToString("D"), attributes.GetProperty("app_key_id").GetString());
    }

    [Fact]
    public async Task Credentials_ScopedKeyWithConnectionsResolve_IsAllowedPastTheCheck()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-test"}}""");
        var (user, client, keyId) = await app.CreateUserAsync(Role.Standard, ["connections_resolve"]);
        Assert.Equal(201, (await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{keyId}")).Status);
        await app.GrantResolverAsync(id, user);

        // Past the permission check, an OpenAI connection is refused for what it is.
        var response = await client.SendJsonAsync(HttpMethod.Post, PathOf(id), MintBody);

        ApiAssert.JsonApiBody(response, 400, $$$"""{"errors":[{"status":"400","title":"Bad Request","detail":"a connection of integration OpenAI has no short-lived credentials: use it through POST /api/v2/actionconnections/connections/{{{id}}}/http_requests"}]}""");
    }

    [Fact]
    public async Task Credentials_OtherOrganisationsConnection_Is404LikeAnUnknownOne()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(CloudCredentialsTests.AwsBody("Role"));
        var other = await app.CreateTenantAsync();

        var foreign = await other.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), MintBody);
        var unknown = await other.Client.SendJsonAsync(HttpMethod.Post, PathOf(Guid.NewGuid().ToString()), MintBody);

        const string NotFound = """{"errors":[{"title":"Generic Error","detail":"error getting connection: rpc error: code = NotFound desc = connection not found"}]}""";
        ApiAssert.JsonApiBody(foreign, 404, NotFound);
        ApiAssert.JsonApiBody(unknown, 404, NotFound);
    }

    [Fact]
    public async Task Credentials_InvalidBodiesAndIds_Are400WithPointers()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(CloudCredentialsTests.AwsBody("Role"));

        var badId = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf("not-a-uuid"), MintBody);
        ApiAssert.JsonApiBody(badId, 400, """{"errors":[{"title":"Generic Error","detail":"error connectionId not a valid UUID"}]}""");

        var tooShort = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), """{"data":{"type":"credentials_request","attributes":{"duration_seconds":899}}}""");
        ApiAssert.JsonApiBody(tooShort, 400, """{"errors":[{"status":"400","title":"Generic Error","detail":"duration_seconds must be between 900 and 43200","source":{"pointer":"/data/attributes/duration_seconds"}}]}""");

        var everything = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), """{"data":{"type":"other","attributes":{"duration_seconds":"900","scopes":["a b",7,""]}}}""");
        ApiAssert.JsonApiBody(everything, 400, """{"errors":[{"status":"400","title":"Generic Error","detail":"data.type must be 'credentials_request'","source":{"pointer":"/data/type"}},{"status":"400","title":"Generic Error","detail":"duration_seconds must be a whole number between 900 and 43200","source":{"pointer":"/data/attributes/duration_seconds"}},{"status":"400","title":"Generic Error","detail":"scopes items must be strings","source":{"pointer":"/data/attributes/scopes/1"}},{"status":"400","title":"Generic Error","detail":"a scope must be non-empty printable ASCII without spaces, quotes or backslashes","source":{"pointer":"/data/attributes/scopes/0"}},{"status":"400","title":"Generic Error","detail":"a scope must be non-empty printable ASCII without spaces, quotes or backslashes","source":{"pointer":"/data/attributes/scopes/1"}}]}""");

        var notJson = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), "{", "application/json");
        Assert.Equal(400, notJson.Status);
        var wrongType = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), "duration=900", "text/plain");
        Assert.Equal(415, wrongType.Status);
    }

    [Fact]
    public async Task Credentials_ProviderRefusedByEgressOrNotListening_Is502()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var guarded = await TestApp.StartAsync();
        await guarded.RegisterBootstrapKeyAsync();
        var denied = await guarded.Client.CreateAsync(Azure);
        await using var allowed = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:EgressAllow"] = "127.0.0.1" });
        await allowed.RegisterBootstrapKeyAsync();
        var closed = await allowed.Client.CreateAsync(Azure);

        var refused = await guarded.Client.SendJsonAsync(HttpMethod.Post, PathOf(denied), MintBody);
        var unreachable = await allowed.Client.SendJsonAsync(HttpMethod.Post, PathOf(closed), MintBody);

        ApiAssert.JsonApiBody(refused, 502, """{"errors":[{"status":"502","title":"Bad Gateway","detail":"Microsoft Entra ID could not be reached (egress_denied): egress denied: 127.0.0.1 is loopback (127.0.0.0/8)"}]}""");
        ApiAssert.JsonApiBody(unreachable, 502, """{"errors":[{"status":"502","title":"Bad Gateway","detail":"Microsoft Entra ID could not be reached (connection_failed): upstream unreachable: connection refused"}]}""");
        Assert.DoesNotContain("s3cr3t-value", guarded.Logs.All + allowed.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_HaveTheirOwnRateLimitGroup()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, PathOf(Guid.NewGuid().ToString()), MintBody);

        Assert.Equal(404, response.Status);
        Assert.Equal("connection_credentials", response.Header("X-RateLimit-Name"));
    }
}
