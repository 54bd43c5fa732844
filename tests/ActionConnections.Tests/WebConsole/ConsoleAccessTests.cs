using System.Net;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.WebConsole;

/// <summary>
/// The console under the API's rules for connections: restriction policies (a connection the
/// caller may not view is neither listed nor found; a viewer may not change it), the Test panel
/// through the http_requests extension's reader, relation check, executor and audit, and the
/// organisation's rate limits.
/// </summary>
public sealed class ConsoleAccessTests
{
    [Fact]
    public async Task ListAndPages_HideAConnectionItsPolicyHidesFromTheCaller_AsTheApiDoes()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var visible = await app.Client.CreateAsync(OpenAi("sk-visible-0a1b"), "Visible one");
        var hidden = await app.Client.CreateAsync(OpenAi("sk-hidden-2c3d"), "Hidden one");
        var standard = await RoleIdAsync(app, "Datadog Standard Role");
        await SetPolicyAsync(app, hidden, $$"""[{"relation":"editor","principals":["role:{{standard}}"]}]""");
        var browser = await SignedInAsync(app, TestApp.ApiKey, TestApp.AppKey);

        var list = await browser.GetAsync("/console/connections");
        var html = await list.Content.ReadAsStringAsync();
        var afterDelete = await browser.PostFormAsync($"/console/connections/{visible}", $"/console/connections/{hidden}/delete", new Dictionary<string, string> { ["confirm_name"] = "Hidden one" });

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("Visible one", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden one", html, StringComparison.Ordinal);
        Assert.DoesNotContain(hidden, html, StringComparison.Ordinal);
        Assert.Matches(@"<p id=""count"" role=""status"">\s*1 connection\s*</p>", html);
        foreach (var suffix in new[] { "", "/edit", "/delete" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/console/connections/{hidden}{suffix}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Equal(404, (await app.Client.GetJsonAsync($"/api/v2/actions/connections/{hidden}")).Status);
        Assert.Equal(200, (await app.CreateClient(TestApp.ApiKey, TestApp.AppKey).GetJsonAsync($"/api/v2/restriction_policy/connection:{visible}")).Status);
    }

    [Fact]
    public async Task Viewer_SeesThePolicyWithNames_ButMayNeitherChangeNorTestTheConnection()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var (viewer, viewerKey) = await CreateSignInableUserAsync(app, Role.Standard);
        var id = await app.Client.CreateAsync(OpenAi("sk-shared-4e5f"), "Shared one");
        await SetPolicyAsync(app, id, $$"""[{"relation":"editor","principals":["user:{{app.AdminId}}"]},{"relation":"viewer","principals":["user:{{viewer.Id}}"]}]""");
        var browser = await SignedInAsync(app, TestApp.ApiKey, viewerKey);

        var detail = await browser.GetAsync($"/console/connections/{id}");
        var html = await detail.Content.ReadAsStringAsync();
        var edit = await browser.GetAsync($"/console/connections/{id}/edit");
        var delete = await browser.PostFormAsync($"/console/connections/{id}", $"/console/connections/{id}/delete", new Dictionary<string, string> { ["confirm_name"] = "Shared one" });
        var test = await browser.PostFormAsync($"/console/connections/{id}", $"/console/connections/{id}?handler=test", new Dictionary<string, string> { ["test_method"] = "GET", ["test_url"] = "/v1/models" });

        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        Assert.Contains("id=\"access-policy\"", html, StringComparison.Ordinal);
        Assert.Contains(">viewer</td>", html, StringComparison.Ordinal);
        Assert.Contains(">editor</td>", html, StringComparison.Ordinal);
        Assert.Contains(viewer.Name, html, StringComparison.Ordinal);
        Assert.Contains("Your relation: <strong>viewer</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/edit\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"test-form\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, edit.StatusCode);
        Assert.Contains("requires the relation editor", await edit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, test.StatusCode);
        Assert.Equal(200, (await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}")).Status);
    }

    [Fact]
    public async Task DefaultPolicy_IsExplained_AndTheAuthorMayTest()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(OpenAi("sk-default-6a7b"), "Default one");
        var browser = await SignedInAsync(app, TestApp.ApiKey, TestApp.AppKey);

        var html = await (await browser.GetAsync($"/console/connections/{id}")).Content.ReadAsStringAsync();

        Assert.Contains("No restriction policy: its author (", html, StringComparison.Ordinal);
        Assert.Contains("Your relation: <strong>editor</strong> (you may use this connection)", html, StringComparison.Ordinal);
        Assert.Contains("id=\"test-form\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestPanel_SendsThroughTheConnection_ShowsTheAnswerEscaped_NeverTheSecret_AuditedFromTheConsole()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        const string Secret = "tok-console-canary-8c9d";
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            // Hostile markup, and the credential echoed back: both must arrive as inert text, the secret masked.
            context.Response.StatusCode = 418;
            context.Response.Headers["X-Upstream"] = "<b>teapot</b>";
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync($"<script>alert(1)</script><img src=x onerror=alert(2)> saw {context.Request.Headers.Authorization}");
        });
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync($$$"""
            {"type":"HTTP","base_url":"{{{upstream.BaseAddress}}}api","credentials":{"type":"HTTPTokenAuth",
             "tokens":[{"name":"token1","type":"SECRET","value":"{{{Secret}}}"}],
             "headers":[{"name":"Authorization","value":"Bearer {{ token1 }}"}]}}
            """, "Upstream");
        var browser = await SignedInAsync(app, TestApp.ApiKey, TestApp.AppKey);

        var response = await browser.PostFormAsync($"/console/connections/{id}", $"/console/connections/{id}?handler=test", new Dictionary<string, string>
        {
            ["test_method"] = "POST",
            ["test_url"] = "/things?a=1",
            ["test_headers"] = "X-Caller: yes\r\n\r\nX-Second: 2",
            ["test_content_type"] = "application/json",
            ["test_content"] = """{"c":1}""",
        });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = upstream.Single;
        Assert.Equal(("POST", "/api/things", "?a=1"), (received.Method, received.Path, received.Query));
        Assert.Equal($"Bearer {Secret}", received.Header("Authorization"));
        Assert.Equal(("yes", "2"), (received.Header("X-Caller"), received.Header("X-Second")));
        Assert.Equal("""{"c":1}""", received.BodyText);
        Assert.Contains("<dd id=\"test-status\">418</dd>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;teapot&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, app.Logs.All, StringComparison.Ordinal);
        var events = await app.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.http_request");
        var audited = Assert.Single(events.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal<(string?, int, string?)>(("console", 200, id), (audited.GetProperty("source").GetString(), audited.GetProperty("status").GetInt32(), audited.GetProperty("target_id").GetString()));
        Assert.DoesNotContain(Secret, events.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestPanel_ARequestTheReaderRefuses_IsShownAtItsField_AndNothingIsSent()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(null));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync($$$"""{"type":"HTTP","base_url":"{{{upstream.BaseAddress}}}","credentials":{"type":"HTTPTokenAuth"}}""", "Upstream");
        var browser = await SignedInAsync(app, TestApp.ApiKey, TestApp.AppKey);

        var response = await browser.PostFormAsync($"/console/connections/{id}", $"/console/connections/{id}?handler=test", new Dictionary<string, string>
        {
            ["test_method"] = "GET",
            ["test_url"] = "/x",
            ["test_headers"] = "Host: elsewhere.example",
        });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("id=\"test-headers-error\"", html, StringComparison.Ordinal);
        Assert.Contains("header &#x27;Host&#x27; is set by the server and may not be sent", html, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"test-headers-hint test-headers-error\"", html, StringComparison.Ordinal);
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Pages_SpendTheOrganisationsRateLimitOfTheirApiGroup()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:RateLimitRequests"] = "3",
            ["ActionConnections:RateLimitPeriodSeconds"] = "86400",
        });
        var browser = new ConsoleBrowser(app.BaseAddress);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(TestApp.ApiKey, TestApp.AppKey)).StatusCode);

        var pages = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            pages.Add((await browser.GetAsync("/console/app-key-registrations")).StatusCode);
        }

        var api = await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations");
        var other = await browser.GetAsync("/console/audit");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], pages);
        var limited = await browser.GetAsync("/console/app-key-registrations");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("app_key_registrations", limited.Headers.GetValues("X-RateLimit-Name").Single());
        Assert.Contains("Too many requests", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(429, api.Status);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static string OpenAi(string secret) => $$$"""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"{{{secret}}}"}}""";

    private static async Task<ConsoleBrowser> SignedInAsync(TestApp app, string apiKey, string appKey)
    {
        var browser = new ConsoleBrowser(app.BaseAddress);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(apiKey, appKey)).StatusCode);
        return browser;
    }

    /// <summary>A user of the bootstrap organisation with a registered application key of its own, whose key the test keeps.</summary>
    private static async Task<(Principal Principal, string AppKey)> CreateSignInableUserAsync(TestApp app, Role role)
    {
        var identity = app.Service<IIdentityStore>();
        var principal = await identity.CreatePrincipalAsync(app.OrgId, PrincipalKind.User, $"viewer-{Guid.NewGuid():N}", null, role, CancellationToken.None);
        var appKey = await identity.CreateAppKeyAsync(app.OrgId, principal.Id, "console", null, CancellationToken.None);
        Assert.Equal(201, (await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{appKey.Record.Id}")).Status);
        return (principal, appKey.Key);
    }

    private static async Task<string> RoleIdAsync(TestApp app, string name)
    {
        var roles = await app.Client.GetJsonAsync("/api/v2/roles");
        Assert.Equal(200, roles.Status);
        return roles.Json.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("attributes").GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
    }

    private static async Task SetPolicyAsync(TestApp app, string connectionId, string bindingsJson)
    {
        var response = await app.Client.SendJsonAsync(
            HttpMethod.Post,
            $"/api/v2/restriction_policy/connection:{connectionId}?allow_self_lockout=true",
            $$"""{"data":{"id":"connection:{{connectionId}}","type":"restriction_policy","attributes":{"bindings":""" + bindingsJson + "}}}");
        Assert.True(response.Status == 200, response.ToString());
    }
}
