using System.Net;
using ActionConnections.Identity;
using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.WebConsole;

/// <summary>
/// The console's sessions and forms over HTTP (the browser suite in tests/console drives the
/// pages in Chromium): sign-in checked as the API checks keys, cookies that hold no key, a key
/// ring in the database that every replica reads, anti-forgery on every form, changes audited
/// with source <c>console</c>.
/// </summary>
public sealed class ConsoleSessionTests
{
    [Fact]
    public async Task SignIn_WithTheKeys_GivesAProtectedSessionCookieAndPages()
    {
        await using var app = await TestApp.StartAsync();
        var browser = new ConsoleBrowser(app.BaseAddress);

        var signIn = await browser.SignInAsync(TestApp.ApiKey, TestApp.AppKey);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/console/connections", signIn.Headers.Location?.OriginalString);
        var setCookie = string.Join("\n", signIn.Headers.GetValues("Set-Cookie"));
        Assert.Matches("ac_console_session=[^;]+; path=/console; samesite=strict; httponly", setCookie);
        Assert.DoesNotContain(TestApp.ApiKey, setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.AppKey, setCookie, StringComparison.Ordinal);

        var page = await browser.GetAsync("/console/connections");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("requires a registered application key", html, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(page.Headers.CacheControl?.NoStore);
        Assert.DoesNotContain(TestApp.ApiKey, app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.AppKey, app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_WithoutASession_RedirectToSignIn()
    {
        await using var app = await TestApp.StartAsync();
        var browser = new ConsoleBrowser(app.BaseAddress);

        var root = await browser.GetAsync("/");
        var page = await browser.GetAsync("/console/connections?q=x");

        Assert.Equal("/console", root.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/console/sign-in?return=%2Fconsole%2Fconnections%3Fq%3Dx", page.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithoutTheAntiforgeryToken_IsRefused()
    {
        await using var app = await TestApp.StartAsync();
        using var client = new HttpClient { BaseAddress = app.BaseAddress };

        using var response = await client.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["api_key"] = TestApp.ApiKey,
            ["app_key"] = TestApp.AppKey,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ac_console_session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SignIn_Failures_CountTowardThePerAddressLimitOfTheApi()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthFailureLimit"] = "2" });
        var browser = new ConsoleBrowser(app.BaseAddress);

        var first = await browser.SignInAsync(TestApp.ApiKey, new string('f', 40));
        var second = await browser.SignInAsync(new string('e', 32), TestApp.AppKey);
        var third = await browser.SignInAsync(TestApp.ApiKey, TestApp.AppKey);
        var api = await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations");

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(429, api.Status);
        // The API refuses this address now, so the trail is read from the store.
        var (events, _) = await app.Service<ActionConnections.Audit.IAuditLog>().ListAsync(app.OrgId, new ActionConnections.Audit.AuditQuery(null, null, "authentication.failure", 10, 0), CancellationToken.None);
        // The second pair's API key names no organisation: that failure is recorded under none.
        Assert.Equal(1, events.Count(e => e.Source == "console"));
    }

    [Fact]
    public async Task Session_SignedInThroughOneReplica_IsAcceptedByTheOther()
    {
        await using var first = await TestApp.StartAsync();
        await using var second = await first.StartReplicaAsync();
        var browser = new ConsoleBrowser(first.BaseAddress);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(TestApp.ApiKey, TestApp.AppKey)).StatusCode);

        var onSecond = await browser.WithBase(second.BaseAddress).GetAsync("/console/app-key-registrations");

        Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
        Assert.Contains("(this session)", await onSecond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyRing_IsInTheDatabase_EncryptedUnderTheMasterKey()
    {
        await using var app = await TestApp.StartAsync();
        var browser = new ConsoleBrowser(app.BaseAddress);
        await browser.SignInAsync(TestApp.ApiKey, TestApp.AppKey);

        var db = app.Service<IDatabase>();
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var command = connection.Command("SELECT xml FROM data_protection_keys;");
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        var key = Assert.Single(rows);
        Assert.Contains("<masterKeyEncrypted", key, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey ", key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_EndsAtOnce_WhenItsApplicationKeyIsRevoked_OrTheCookieIsTampered()
    {
        await using var app = await TestApp.StartAsync();
        var (_, _, appKeyId) = await app.CreateUserAsync(Auth.Role.Admin);
        var identity = app.Service<IIdentityStore>();
        var appKey = await identity.CreateAppKeyAsync(app.OrgId, app.AdminId, "console", null, CancellationToken.None);
        var browser = new ConsoleBrowser(app.BaseAddress);
        await browser.SignInAsync(TestApp.ApiKey, appKey.Key);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/app-key-registrations")).StatusCode);

        var tampered = browser.Clone();
        tampered.TamperSession();
        Assert.Equal(HttpStatusCode.Redirect, (await tampered.GetAsync("/console/app-key-registrations")).StatusCode);

        Assert.True(await identity.DeleteAppKeyAsync(app.OrgId, appKey.Record.Id, CancellationToken.None));
        var after = await browser.GetAsync("/console/app-key-registrations");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/console/sign-in", after.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.NotEqual(Guid.Empty, appKeyId);
    }

    [Fact]
    public async Task Create_ThroughTheForm_IsValidatedAndAuditedAsTheApiDoes_WithSourceConsole()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var browser = new ConsoleBrowser(app.BaseAddress);
        await browser.SignInAsync(TestApp.ApiKey, TestApp.AppKey);
        const string Secret = "sk-console-canary-0123456789";

        var invalid = await browser.PostFormAsync("/console/connections/new?integration=OpenAI", "/console/connections/new", new Dictionary<string, string>
        {
            ["/data/attributes/integration/type"] = "OpenAI",
            ["/data/attributes/integration/credentials/type"] = "OpenAIAPIKey",
            ["/data/attributes/name"] = "from the console",
        });
        var invalidHtml = await invalid.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("missing required field api_token", invalidHtml, StringComparison.Ordinal);
        Assert.Contains("id=\"f-data-attributes-integration-credentials-api_token-error\"", invalidHtml, StringComparison.Ordinal);

        var created = await browser.PostFormAsync("/console/connections/new?integration=OpenAI", "/console/connections/new", new Dictionary<string, string>
        {
            ["/data/attributes/integration/type"] = "OpenAI",
            ["/data/attributes/integration/credentials/type"] = "OpenAIAPIKey",
            ["/data/attributes/name"] = "from the console",
            ["/data/attributes/integration/credentials/api_token"] = Secret,
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = created.Headers.Location!.OriginalString.Split('/')[3].Split('?')[0];

        var read = await app.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
        Assert.Equal(200, read.Status);
        Assert.Equal("", read.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("api_token").GetString());
        var detail = await (await browser.GetAsync($"/console/connections/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, detail, StringComparison.Ordinal);
        Assert.Contains(">set<", detail, StringComparison.Ordinal);
        var events = await ReadAuditAsync(app, "connection.create");
        var made = Assert.Single(events);
        Assert.Equal(("console", id, 201), (made.Source, made.TargetId, made.Status));
        Assert.DoesNotContain(Secret, app.Logs.All, StringComparison.Ordinal);
    }

    private static async Task<List<(string Source, string? TargetId, int Status)>> ReadAuditAsync(TestApp app, string action)
    {
        var response = await app.CreateClient(TestApp.ApiKey, TestApp.AppKey).GetJsonAsync($"/api/v2/actionconnections/audit_events?filter[action]={action}");
        if (response.Status != 200)
        {
            return [];
        }

        return [.. response.Json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("attributes")).Select(a => (
            a.GetProperty("source").GetString()!,
            a.TryGetProperty("target_id", out var target) ? target.GetString() : null,
            a.TryGetProperty("status", out var status) ? status.GetInt32() : 0))];
    }
}
