using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Tests.HttpRequests;

/// <summary>Timeouts, the response cap, upstream errors passed through as data, and 100 concurrent executions.</summary>
public sealed class ExecutionLimitsTests
{
    [Fact]
    public async Task Use_SlowUpstream_Returns504()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString()));

        var started = DateTime.UtcNow;
        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/slow", "\"timeout_seconds\":1"));

        ApiAssert.JsonApiBody(response, 504, """{"errors":[{"status":"504","title":"Gateway Timeout","detail":"upstream timeout: no complete answer within 1 s"}]}""");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Use_UntrustedCertificate_Returns502Tls()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null))));
        await using var tls = builder.Build();
        var reached = 0;
        tls.Run(context =>
        {
            Interlocked.Increment(ref reached);
            return Task.CompletedTask;
        });
        await tls.StartAsync();
        var port = new Uri(tls.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection($"https://127.0.0.1:{port}"));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/"));

        ApiAssert.JsonApiBody(response, 502, """{"errors":[{"status":"502","title":"Bad Gateway","detail":"upstream TLS failure: the TLS handshake failed (TLS 1.2 or newer and a valid certificate are required)"}]}""");
        Assert.Equal(0, reached);
        await tls.StopAsync();
    }

    [Fact]
    public async Task Use_LargeResponse_IsTruncatedAtTheCap()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(new string('a', 5000));
        });
        var settings = HttpRequestBodies.Settings(null);
        settings["ActionConnections:HttpResponseMaxBytes"] = "1024";
        await using var app = await TestApp.StartAsync(settings);
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString()));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/big"));

        Assert.True(response.Status == 200, response.ToString());
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.True(attributes.GetProperty("truncated").GetBoolean());
        Assert.Equal(new string('a', 1024), attributes.GetProperty("body").GetProperty("content").GetString());
        Assert.Equal("text/plain", attributes.GetProperty("body").GetProperty("content_type").GetString());
    }

    [Fact]
    public async Task Use_UpstreamErrorAndBinaryBody_AreA200WithTheirStatusAndBase64()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(new byte[] { 0xff, 0x00, 0xfe });
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString()));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("DELETE", "/thing"));

        Assert.True(response.Status == 200, response.ToString());
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal(500, attributes.GetProperty("status").GetInt32());
        Assert.Equal(("/wD+", "base64"), (attributes.GetProperty("body").GetProperty("content").GetString(), attributes.GetProperty("body").GetProperty("encoding").GetString()));
        Assert.False(attributes.GetProperty("truncated").GetBoolean());
        Assert.True(attributes.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.True(Guid.TryParse(response.Json.GetProperty("data").GetProperty("id").GetString(), out _));
        Assert.Equal("http_response", response.Json.GetProperty("data").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Use_HundredConcurrentExecutions_AllSucceed()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            await Task.Delay(20);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"n":"{{context.Request.Query["n"]}}"}""");
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-many"}}""");

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(n =>
            app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", $"/models?n={n}"))));

        for (var n = 0; n < 100; n++)
        {
            Assert.True(responses[n].Status == 200, responses[n].ToString());
            Assert.Equal($$"""{"n":"{{n}}"}""", responses[n].Json.GetProperty("data").GetProperty("attributes").GetProperty("body").GetProperty("content").GetString());
        }

        Assert.Equal(100, upstream.Received.Count);
        Assert.All(upstream.Received, r => Assert.Equal("Bearer sk-many", r.Header("Authorization")));
    }
}
