using System.Text.Json;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.HttpRequests;

/// <summary>HTTP connections (HTTPTokenAuth): templating in headers, URL parameters and body; the merge rules; the host check.</summary>
public sealed class HttpConnectionTests
{
    private const string Credentials = """
        {"type":"HTTPTokenAuth",
         "tokens":[{"name":"token1","type":"SECRET","value":"tok-s3cret"}],
         "headers":[{"name":"X-Token","value":"{{ token1 }} test"},{"name":"X-Over","value":"connection"},{"name":"Authorization","value":"Bearer {{token1}}"}],
         "url_parameters":[{"name":"key","value":"{{token1}}"},{"name":"u","value":"{{ unknown }}x"}],
         "body":{"content_type":"application/json","content":"{\"key\":\"{{ token1 }}\",\"k2\":\"connection\"}"}}
        """;

    [Fact]
    public async Task Use_HttpConnection_RendersTokensAndMergesJson()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection($"{upstream.BaseAddress}api", Credentials));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", $"{upstream.BaseAddress}api/things?a=1", """
            "headers":[{"name":"X-Over","value":"caller"},{"name":"X-Caller","value":"yes"},{"name":"Authorization","value":"Bearer caller"}],
            "url_parameters":[{"name":"limit","value":"5"}],
            "body":{"content_type":"application/json; charset=utf-8","content":"{\"k2\":\"caller\",\"c\":1}"}
            """));

        Assert.True(response.Status == 200, response.ToString());
        var received = upstream.Single;
        Assert.Equal(("POST", "/api/things", "?a=1&limit=5&key=tok-s3cret&u=x"), (received.Method, received.Path, received.Query));
        Assert.Equal("tok-s3cret test", received.Header("X-Token"));
        Assert.Equal("connection", received.Header("X-Over"));
        Assert.Equal("yes", received.Header("X-Caller"));
        Assert.Equal("Bearer tok-s3cret", received.Header("Authorization"));
        Assert.Equal("application/json; charset=utf-8", received.Header("Content-Type"));
        Assert.Equal("""{"k2":"connection","c":1,"key":"tok-s3cret"}""", received.BodyText);
    }

    [Fact]
    public async Task Use_HttpConnection_NoRequestBody_SendsTheConnectionBody()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), Credentials));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", "/x"));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("""{"key":"tok-s3cret","k2":"connection"}""", upstream.Single.BodyText);
        Assert.Equal("application/json", upstream.Single.Header("Content-Type"));
    }

    [Fact]
    public async Task Use_HttpConnection_TextBodies_ConnectionThenCrlfThenRequest()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), """
            {"type":"HTTPTokenAuth","tokens":[{"name":"t","type":"SECRET","value":"v"}],"body":{"content_type":"text/plain","content":"conn-{{t}}"}}
            """));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("PUT", "/x", """
            "body":{"content_type":"text/plain","content":"req"}
            """));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal("conn-v\r\nreq", upstream.Single.BodyText);
    }

    [Fact]
    public async Task Use_HttpConnection_Multipart_ConnectionFieldsOverride()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), """
            {"type":"HTTPTokenAuth","tokens":[{"name":"t","type":"SECRET","value":"v"}],"body":{"content_type":"multipart/form-data","content":"[{\"key\":\"token\",\"value\":\"{{t}}\"}]"}}
            """));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", "/upload", """
            "body":{"content_type":"multipart/form-data","content":"[{\"key\":\"token\",\"value\":\"caller\"},{\"key\":\"name\",\"value\":\"n\"}]"}
            """));

        Assert.True(response.Status == 200, response.ToString());
        var received = upstream.Single;
        Assert.StartsWith("multipart/form-data; boundary=", received.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Contains("name=\"name\"\r\n\r\nn\r\n", received.BodyText, StringComparison.Ordinal);
        Assert.Contains("name=\"token\"\r\n\r\nv\r\n", received.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("caller", received.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Use_HttpConnection_ContentTypeMismatch_Returns400()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), Credentials));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", "/x", """
            "body":{"content_type":"text/plain","content":"hello"}
            """));

        ApiAssert.JsonApiBody(response, 400, """{"errors":[{"status":"400","title":"Bad Request","detail":"the body's content type 'text/plain' does not start with the connection's content_type 'application/json'","source":{"pointer":"/data/attributes/body/content_type"}}]}""");
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Use_HttpConnection_HostOrPortMismatch_Returns400()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), Credentials));

        var otherPort = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", $"http://127.0.0.1:{upstream.BaseAddress.Port + 1}/"));
        var protocolRelative = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "//evil.example/x"));
        var otherScheme = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "file:///etc/passwd"));

        Assert.Contains($"does not match the connection's host '{upstream.Authority}'", otherPort.Body, StringComparison.Ordinal);
        Assert.All(new[] { otherPort, protocolRelative, otherScheme }, r => Assert.Equal(400, r.Status));
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Use_EchoUpstream_NoSecretInTheAnswer()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            // Echoes everything back: headers (also as response headers), query and body.
            using var reader = new StreamReader(context.Request.Body);
            var echo = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["headers"] = string.Join("\n", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}")),
                ["query"] = context.Request.QueryString.Value ?? string.Empty,
            });
            foreach (var header in context.Request.Headers.Where(h => h.Key.StartsWith("X-", StringComparison.Ordinal) || h.Key == "Authorization"))
            {
                context.Response.Headers[$"Echo-{header.Key}"] = header.Value;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(echo);
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "ServiceNow"));
        await app.RegisterBootstrapKeyAsync();
        var http = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), Credentials));
        var serviceNow = await app.Client.CreateAsync("""{"type":"ServiceNow","credentials":{"type":"ServiceNowBasicAuth","instance":"example","username":"sn-user","password":"sn-pass-s3cret"}}""");

        var first = await app.Client.SendThroughAsync(http, HttpRequestBodies.Request("POST", "/echo"));
        var second = await app.Client.SendThroughAsync(serviceNow, HttpRequestBodies.Request("GET", "/echo"));

        Assert.True(first.Status == 200, first.ToString());
        Assert.True(second.Status == 200, second.ToString());
        Assert.Equal(2, upstream.Received.Count);
        foreach (var answer in new[] { first.Body, second.Body })
        {
            Assert.Contains("***", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", answer, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String("sn-user:sn-pass-s3cret"u8), answer, StringComparison.Ordinal);
        }
    }
}
