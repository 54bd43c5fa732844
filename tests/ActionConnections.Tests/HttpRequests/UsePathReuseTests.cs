using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.HttpRequests;

/// <summary>
/// What the use path reuses between calls (docs/adr/0021): the parsed connection record, keyed by
/// the row's version, never decrypted secrets. Every call still reads the row in the caller's
/// organisation, so a change, a delete or another organisation's caller is seen at the next call.
/// And the upstream's answer read into pooled buffers: whole, or cut at the cap, with or without a
/// declared length.
/// </summary>
public sealed class UsePathReuseTests
{
    private static string TokenCredentials(string token) => $$$"""
        {"type":"HTTPTokenAuth","tokens":[{"name":"key","type":"SECRET","value":"{{{token}}}"}],"headers":[{"name":"X-Key","value":"{{ key }}"}]}
        """;

    [Fact]
    public async Task Use_AfterTheTokenIsPatched_SendsTheNewTokenAndMasksIt()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync(context.Request.Headers["X-Key"].ToString()));
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var baseUrl = upstream.BaseAddress.ToString();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(baseUrl, TokenCredentials("first-s3cret")));

        var before = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/a"));
        var patched = await app.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}",
            ConnectionBodies.Update($$"""{"integration":{{EgressPolicyTests.HttpConnection(baseUrl, TokenCredentials("second-s3cret"))}}}"""));
        var after = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/b"));

        Assert.True(before.Status == 200, before.ToString());
        Assert.True(patched.Status == 200, patched.ToString());
        Assert.True(after.Status == 200, after.ToString());
        Assert.Equal(["first-s3cret", "second-s3cret"], upstream.Received.Select(r => r.Header("X-Key")));
        Assert.Equal("***", Content(before));
        Assert.Equal("***", Content(after));
    }

    [Fact]
    public async Task Use_AfterDelete_Returns404()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), TokenCredentials("s3cret")));

        var used = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/a"));
        var deleted = await app.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/connections/{id}");
        var after = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/b"));

        Assert.True(used.Status == 200, used.ToString());
        Assert.True(deleted.Status == 204, deleted.ToString());
        Assert.Equal(404, after.Status);
        Assert.Single(upstream.Received);
    }

    [Fact]
    public async Task Use_ByAnotherOrganisation_AfterTheOwnerUsedIt_Returns404()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString(), TokenCredentials("s3cret")));
        var tenant = await app.CreateTenantAsync();

        var owner = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/a"));
        var other = await tenant.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/b"));

        Assert.True(owner.Status == 200, owner.ToString());
        Assert.Equal(404, other.Status);
        Assert.Equal("/a", upstream.Single.Path);
    }

    [Theory]
    [InlineData(false, 100_000, 1_048_576)] // chunked, several times the first buffer, under the cap
    [InlineData(true, 100_000, 1_048_576)] // declared length
    [InlineData(false, 100_000, 40_000)] // chunked, over the cap: cut
    [InlineData(true, 100_000, 40_000)] // declared length over the cap: cut
    public async Task Use_LargeBody_IsReadWholeOrCutAtTheCap(bool declaredLength, int size, int cap)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        var body = string.Concat(Enumerable.Range(0, size / 10).Select(i => $"{i % 1_000_000_000,9:D9}\n"));
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/plain";
            if (declaredLength)
            {
                context.Response.ContentLength = body.Length;
            }

            // In pieces, so a reader without a declared length grows its buffer as it goes.
            for (var at = 0; at < body.Length; at += 7_000)
            {
                await context.Response.WriteAsync(body.Substring(at, Math.Min(7_000, body.Length - at)));
                await context.Response.Body.FlushAsync();
            }
        });
        var settings = HttpRequestBodies.Settings(null);
        settings["ActionConnections:HttpResponseMaxBytes"] = cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var app = await TestApp.StartAsync(settings);
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(EgressPolicyTests.HttpConnection(upstream.BaseAddress.ToString()));

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/big"));

        Assert.True(response.Status == 200, response.ToString());
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal(size > cap, attributes.GetProperty("truncated").GetBoolean());
        Assert.Equal(size > cap ? body[..cap] : body, Content(response));
    }

    private static string? Content(TestResponse response) =>
        response.Json.GetProperty("data").GetProperty("attributes").GetProperty("body").GetProperty("content").GetString();
}
