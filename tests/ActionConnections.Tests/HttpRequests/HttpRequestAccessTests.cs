using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.HttpRequests;

/// <summary>Permission, registration, tenancy, the secret's destination binding, audit, and a sweep of hostile bodies.</summary>
public sealed class HttpRequestAccessTests
{
    private const string OpenAi = """{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-access"}}""";

    [Fact]
    public async Task Use_UnregisteredKey_Returns403()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendThroughAsync(Guid.NewGuid().ToString(), HttpRequestBodies.Request("GET", "/"));

        Assert.Equal(403, response.Status);
        Assert.Contains("registered application key", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_WithoutConnectionsResolve_Returns403_WithIt_200()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi);
        var (_, readOnly, readOnlyKey) = await app.CreateUserAsync(Role.ReadOnly);
        var (scopedUser, scoped, scopedKey) = await app.CreateUserAsync(Role.Standard, ["connections_read", "connections_resolve"]);
        await app.GrantResolverAsync(id, scopedUser);
        foreach (var key in new[] { readOnlyKey, scopedKey })
        {
            Assert.Equal(201, (await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{key}")).Status);
        }

        var denied = await readOnly.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var allowed = await scoped.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var canResolve = await scoped.GetJsonAsync($"/api/v2/actions/connections/{id}");

        Assert.Equal(403, denied.Status);
        Assert.True(allowed.Status == 200, allowed.ToString());
        Assert.Single(upstream.Received);
        Assert.True(canResolve.Json.GetProperty("data").GetProperty("attributes").GetProperty("acting_user_can_resolve").GetBoolean());
    }

    [Fact]
    public async Task Use_OtherOrganisationsOrUnknownConnection_Returns404()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi);
        var tenant = await app.CreateTenantAsync();

        var other = await tenant.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var unknown = await app.Client.SendThroughAsync(Guid.NewGuid().ToString(), HttpRequestBodies.Request("GET", "/models"));
        var invalid = await app.Client.SendThroughAsync("not-a-uuid", HttpRequestBodies.Request("GET", "/models"));

        const string NotFound = """{"errors":[{"title":"Generic Error","detail":"error using connection: rpc error: code = NotFound desc = connection not found"}]}""";
        ApiAssert.JsonApiBody(other, 404, NotFound);
        ApiAssert.JsonApiBody(unknown, 404, NotFound);
        Assert.Equal(400, invalid.Status);
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Use_SecretKeptAcrossDestinationChange_Returns409UntilEnteredAgain()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), """{"type":"HTTPTokenAuth","tokens":[{"name":"t","type":"SECRET","value":"bound-s3cret"}],"headers":[{"name":"X-T","value":"{{t}}"}]}"""));
        await using var attacker = await FakeUpstream.StartAsync();

        // Whoever may edit points the connection at their own host and keeps the secret.
        var moved = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update($$$"""{"integration":{"type":"HTTP","base_url":"{{{attacker.BaseAddress}}}"}}"""));
        var refused = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));
        var reentered = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"integration":{"type":"HTTP","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"t","value":"new-s3cret"}]}}}"""));
        var used = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));

        Assert.True(moved.Status == 200, moved.ToString());
        ApiAssert.JsonApiBody(refused, 409, $$"""{"errors":[{"status":"409","title":"Conflict","detail":"the connection now points at {{attacker.Authority}}, but its secret(s) tokens/t were entered for {{upstream.Authority}}; enter them again (PATCH the connection) before using it"}]}""");
        Assert.True(reentered.Status == 200, reentered.ToString());
        Assert.True(used.Status == 200, used.ToString());
        Assert.Empty(upstream.Received);
        Assert.Equal("new-s3cret", attacker.Single.Header("X-T"));
    }

    [Fact]
    public async Task Use_DomainChangedKeepingTheToken_Returns409()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "Okta"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"Okta","credentials":{"type":"OktaAPIToken","api_token":"okta-s3cret","domain":"example.okta.com"}}""");

        var before = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/users"));
        await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"integration":{"type":"Okta","credentials":{"type":"OktaAPIToken","domain":"evil.example.com"}}}"""));
        var after = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/users"));

        Assert.True(before.Status == 200, before.ToString());
        Assert.Equal(409, after.Status);
        Assert.Contains("secret(s) api_token were entered for example.okta.com", after.Body, StringComparison.Ordinal);
        Assert.Single(upstream.Received);
    }

    [Fact]
    public async Task Use_IsAudited_WithoutQueryHeadersOrBody()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi);

        var ok = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", "/chat/completions?user=query-s3cret", """
            "headers":[{"name":"X-Header","value":"header-s3cret"}],"body":{"content_type":"application/json","content":"{\"b\":\"body-s3cret\"}"}
            """));
        var events = await app.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.http_request");

        Assert.True(ok.Status == 200, ok.ToString());
        Assert.True(events.Status == 200, events.ToString());
        var attributes = Assert.Single(events.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal(("connection", id, 200, "success"), (attributes.GetProperty("target_type").GetString(), attributes.GetProperty("target_id").GetString(), attributes.GetProperty("status").GetInt32(), attributes.GetProperty("outcome").GetString()));
        Assert.StartsWith($"POST 127.0.0.1 /base/chat/completions -> 200 in ", attributes.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", events.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-access", events.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains("s3cret", StringComparison.Ordinal) || line.Contains("sk-access", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"data":[]}""")]
    [InlineData("""{"data":{"type":"http_request"}}""")]
    [InlineData("""{"data":{"type":"nope","attributes":{"method":"GET","url":"/"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"CONNECT","url":"/"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"TRACE","url":"/"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":7,"url":"/"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/ x"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/\r\nHost: x"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","timeout_seconds":0}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","timeout_seconds":121}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","timeout_seconds":1.5}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","timeout_seconds":"30"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","follow_redirects":"yes"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"Host","value":"evil"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"Content-Length","value":"5"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"Transfer-Encoding","value":"chunked"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"Connection","value":"close"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"X-Forwarded-For","value":"1.2.3.4"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"Forwarded","value":"for=1.2.3.4"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"X-A","value":"a\r\nX-B: b"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"Bad Name","value":"a"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":[{"name":"X-A","value":"\u0100"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","headers":{"name":"X-A"}}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","url_parameters":[{"name":"","value":"a"}]}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","body":"text"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"/","body":{"content_type":"a\u0000b","content":"x"}}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"https://user:pw@api.openai.com/"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"javascript:alert(1)"}}}""")]
    [InlineData("""{"data":{"type":"http_request","attributes":{"method":"GET","url":"http://[::1"}}}""")]
    public async Task Use_HostileBody_Returns400NeverA5xx(string body)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi);

        var response = await app.Client.SendThroughAsync(id, body);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Equal(ApiAssert.JsonApi, response.ContentType);
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Use_HasItsOwnRateLimitGroup()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        var settings = HttpRequestBodies.Settings(upstream, "OpenAI");
        settings["ActionConnections:RateLimitRequests"] = "3";
        await using var app = await TestApp.StartAsync(settings);
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi);

        var first = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var second = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var third = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var fourth = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models"));
        var get = await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");

        Assert.Equal([200, 200, 200, 429], new[] { first.Status, second.Status, third.Status, fourth.Status });
        Assert.Equal("connection_http_requests", fourth.Header("X-RateLimit-Name"));
        Assert.Equal(200, get.Status);
    }
}
