using System.Net;
using System.Net.Sockets;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.HttpRequests;

/// <summary>
/// The SSRF guard end to end: HTTP connections pointed at loopback and metadata addresses in
/// every spelling, refused with 403 <c>egress denied:</c> while the allow-list is empty (the fake
/// receives nothing), and reached once allow-listed. Runs only with loopback up, so even a broken
/// guard cannot send a packet off this machine.
/// </summary>
public sealed class EgressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1 is loopback")]
    [InlineData("localhost", "localhost (")]
    [InlineData("[::1]", "::1 is loopback")]
    [InlineData("[::ffff:127.0.0.1]", "IPv4-mapped IPv6 address embedding 127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1 is loopback")]
    [InlineData("0x7f.1", "127.0.0.1 is loopback")]
    [InlineData("169.254.169.254", "169.254.169.254 is link-local")]
    [InlineData("[fd00:ec2::254]", "fd00:ec2::254 is unique-local")]
    [InlineData("[64:ff9b::7f00:1]", "NAT64")]
    [InlineData("10.0.0.1", "10.0.0.1 is private")]
    public async Task Use_DeniedDestination_Returns403EgressDenied(string host, string reason)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection($"https://{host}:{upstream.BaseAddress.Port}"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/latest/meta-data"));

        Assert.Equal(403, response.Status);
        var detail = response.Json.GetProperty("errors")[0].GetProperty("detail").GetString()!;
        Assert.StartsWith("egress denied: ", detail, StringComparison.Ordinal);
        Assert.Contains(reason, detail, StringComparison.Ordinal);
        Assert.Empty(upstream.Received);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("[::ffff:127.0.0.1]", "127.0.0.1")]
    [InlineData("localhost", "127.0.0.1,::1")]
    [InlineData("localhost", "localhost")]
    public async Task Use_AllowListedDestination_IsReached(string host, string allow)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:EgressAllow"] = allow });
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection($"http://{host}:{upstream.BaseAddress.Port}"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/ok"));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("/ok", upstream.Single.Path);
    }

    [Fact]
    public async Task Use_AllowListedMetadataAddress_CannotLeaveTheNamespace()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:EgressAllow"] = "169.254.169.254" });
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection("http://169.254.169.254"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/latest/meta-data", "\"timeout_seconds\":5"));

        // Allowed by the policy, so only the namespace stops it: no route off loopback.
        Assert.Equal(502, response.Status);
        Assert.Contains("upstream unreachable", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_DenyListWinsOverAllowList()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:EgressAllow"] = "127.0.0.0/8",
            ["ActionConnections:EgressDeny"] = "127.0.0.1",
        });
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection(upstream.BaseAddress.ToString()));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));

        Assert.Equal(403, response.Status);
        Assert.Contains("egress denied: 127.0.0.1 is listed in ACTIONCONNECTIONS_EGRESS_DENY", response.Body, StringComparison.Ordinal);
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Use_PublicHostOverPlainHttp_IsDeniedBeforeAnyConnect()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection("http://93.184.215.14"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));

        Assert.Equal(403, response.Status);
        Assert.Contains("egress denied: 93.184.215.14 is reached over plain http", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_RedirectToDeniedAddress_Returns403()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
            return Task.CompletedTask;
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection(upstream.BaseAddress.ToString()));

        var followed = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/", "\"follow_redirects\":true"));
        var notFollowed = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));

        Assert.Equal(403, followed.Status);
        Assert.Contains("egress denied: 169.254.169.254 is link-local", followed.Body, StringComparison.Ordinal);
        Assert.True(notFollowed.Status == 200, notFollowed.ToString());
        var attributes = notFollowed.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal(302, attributes.GetProperty("status").GetInt32());
        Assert.Contains(attributes.GetProperty("headers").EnumerateArray(), h => h.GetProperty("name").GetString() == "Location");
    }

    [Fact]
    public async Task Use_RedirectToAnotherHost_DropsTheCredential()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var elsewhere = await FakeUpstream.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            var path = context.Request.Path.Value;
            if (path != "/base/final")
            {
                context.Response.StatusCode = path == "/base/same" ? 307 : 302;
                context.Response.Headers.Location = path == "/base/same" ? "final" : $"{elsewhere.BaseAddress}landing";
            }

            return Task.CompletedTask;
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-redirect-s3cret"}}""");

        var away = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/away", "\"follow_redirects\":true"));
        var same = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/same", "\"follow_redirects\":true"));

        Assert.True(away.Status == 200, away.ToString());
        Assert.True(same.Status == 200, same.ToString());
        var landing = elsewhere.Single;
        Assert.Equal("/landing", landing.Path);
        Assert.Null(landing.Header("Authorization"));
        var final = upstream.Received.Single(r => r.Path == "/base/final");
        Assert.Equal("Bearer sk-redirect-s3cret", final.Header("Authorization"));
    }

    [Fact]
    public async Task Use_RedirectLoop_StopsAfterFiveHops()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/again";
            return Task.CompletedTask;
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection(upstream.BaseAddress.ToString()));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/", "\"follow_redirects\":true"));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(302, response.Json.GetProperty("data").GetProperty("attributes").GetProperty("status").GetInt32());
        Assert.Equal(6, upstream.Received.Count);
    }

    [Fact]
    public async Task Use_ClosedPort_Returns502()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection($"http://127.0.0.1:{port}"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));

        ApiAssert.JsonApiBody(response, 502, """{"errors":[{"status":"502","title":"Bad Gateway","detail":"upstream unreachable: connection refused"}]}""");
    }

    [Fact]
    public async Task Use_UnresolvableHost_Returns502Dns()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(HttpConnection("https://no-such-host.invalid"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/", "\"timeout_seconds\":10"));

        ApiAssert.JsonApiBody(response, 502, """{"errors":[{"status":"502","title":"Bad Gateway","detail":"upstream unreachable: DNS lookup of no-such-host.invalid failed"}]}""");
    }

    internal static string HttpConnection(string baseUrl, string credentials = """{"type":"HTTPTokenAuth"}""") =>
        $$"""{"type":"HTTP","base_url":"{{baseUrl}}","credentials":{{credentials}}}""";
}
