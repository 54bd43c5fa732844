using System.Text;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.HttpRequests;

/// <summary>
/// Every integration that authenticates with a static credential, end to end over real sockets:
/// the exact header(s) a loopback fake of its API received, and the caller's own Authorization
/// (and own value of the credential's header) replaced, never forwarded.
/// </summary>
public sealed class CredentialInjectionTests
{
    /// <summary>Integration JSON, then the exact credential headers the vendor must receive.</summary>
    public static readonly TheoryData<string, string, string[]> Integrations = new()
    {
        { "Anthropic", """{"type":"Anthropic","credentials":{"type":"AnthropicAPIKey","api_token":"sk-ant-s3cret"}}""", ["x-api-key: sk-ant-s3cret", "anthropic-version: 2023-06-01"] },
        { "Asana", """{"type":"Asana","credentials":{"type":"AsanaAccessToken","access_token":"asana-s3cret"}}""", ["Authorization: Bearer asana-s3cret"] },
        { "CircleCI", """{"type":"CircleCI","credentials":{"type":"CircleCIAPIKey","api_token":"circle-s3cret"}}""", ["Circle-Token: circle-s3cret"] },
        { "Clickup", """{"type":"Clickup","credentials":{"type":"ClickupAPIKey","api_token":"pk_clickup-s3cret"}}""", ["Authorization: pk_clickup-s3cret"] },
        { "Cloudflare", """{"type":"Cloudflare","credentials":{"type":"CloudflareAPIToken","api_token":"cf-s3cret"}}""", ["Authorization: Bearer cf-s3cret"] },
        { "Cloudflare", """{"type":"Cloudflare","credentials":{"type":"CloudflareGlobalAPIToken","auth_email":"user@example.com","global_api_key":"cf-global-s3cret"}}""", ["X-Auth-Email: user@example.com", "X-Auth-Key: cf-global-s3cret"] },
        { "ConfigCat", """{"type":"ConfigCat","credentials":{"type":"ConfigCatSDKKey","api_username":"cc-user","api_password":"cc-pass-s3cret","sdk_key":"cc-sdk-s3cret"}}""", [$"Authorization: Basic {Basic("cc-user:cc-pass-s3cret")}", "X-CONFIGCAT-SDKKEY: cc-sdk-s3cret"] },
        { "Datadog", """{"type":"Datadog","credentials":{"type":"DatadogAPIKey","api_key":"dd-api-s3cret","app_key":"dd-app-s3cret","datacenter":"us5.datadoghq.com"}}""", ["DD-API-KEY: dd-api-s3cret", "DD-APPLICATION-KEY: dd-app-s3cret"] },
        { "Fastly", """{"type":"Fastly","credentials":{"type":"FastlyAPIKey","api_key":"fastly-s3cret"}}""", ["Fastly-Key: fastly-s3cret"] },
        { "Freshservice", """{"type":"Freshservice","credentials":{"type":"FreshserviceAPIKey","api_key":"fresh-s3cret","domain":"example.freshservice.com"}}""", [$"Authorization: Basic {Basic("fresh-s3cret:X")}"] },
        { "Gemini", """{"type":"Gemini","credentials":{"type":"GeminiAPIKey","api_key":"gemini-s3cret"}}""", ["x-goog-api-key: gemini-s3cret"] },
        { "Gitlab", """{"type":"Gitlab","credentials":{"type":"GitlabAPIKey","api_token":"glpat-s3cret"}}""", ["PRIVATE-TOKEN: glpat-s3cret"] },
        { "GreyNoise", """{"type":"GreyNoise","credentials":{"type":"GreyNoiseAPIKey","api_key":"greynoise-s3cret"}}""", ["key: greynoise-s3cret"] },
        { "LaunchDarkly", """{"type":"LaunchDarkly","credentials":{"type":"LaunchDarklyAPIKey","api_token":"api-ld-s3cret"}}""", ["Authorization: api-ld-s3cret"] },
        { "Notion", """{"type":"Notion","credentials":{"type":"NotionAPIKey","api_token":"secret_notion-s3cret"}}""", ["Authorization: Bearer secret_notion-s3cret", "Notion-Version: 2022-06-28"] },
        { "Okta", """{"type":"Okta","credentials":{"type":"OktaAPIToken","api_token":"okta-s3cret","domain":"example.okta.com"}}""", ["Authorization: SSWS okta-s3cret"] },
        { "OpenAI", """{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-openai-s3cret"}}""", ["Authorization: Bearer sk-openai-s3cret"] },
        { "ServiceNow", """{"type":"ServiceNow","credentials":{"type":"ServiceNowBasicAuth","instance":"example","username":"sn-user","password":"sn-pass-s3cret"}}""", [$"Authorization: Basic {Basic("sn-user:sn-pass-s3cret")}"] },
        { "Split", """{"type":"Split","credentials":{"type":"SplitAPIKey","api_key":"split-s3cret"}}""", ["Authorization: Bearer split-s3cret"] },
        { "Statsig", """{"type":"Statsig","credentials":{"type":"StatsigAPIKey","api_key":"statsig-s3cret"}}""", ["STATSIG-API-KEY: statsig-s3cret"] },
        { "VirusTotal", """{"type":"VirusTotal","credentials":{"type":"VirusTotalAPIKey","api_key":"vt-s3cret"}}""", ["x-apikey: vt-s3cret"] },
    };

    [Theory]
    [MemberData(nameof(Integrations))]
    public async Task Use_StaticCredential_UpstreamReceivesExactlyTheInjectedHeaders(string type, string integration, string[] expected)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, type));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(integration);

        // The caller tries to set the credential headers and Authorization itself (API-version
        // headers such as Notion-Version are the caller's to choose: sent only when absent).
        var callerHeaders = string.Join(",", expected.Where(e => e.Contains("s3cret", StringComparison.Ordinal) || e.Contains("Basic", StringComparison.Ordinal)).Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]).Append("Authorization").Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(name => $$"""{"name":"{{name}}","value":"caller-own-value"}"""));
        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/items?x=1", $$"""
            "headers":[{{callerHeaders}},{"name":"Accept","value":"application/json"}]
            """));

        Assert.True(response.Status == 200, response.ToString());
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal(200, attributes.GetProperty("status").GetInt32());
        Assert.Equal("""{"ok":true}""", attributes.GetProperty("body").GetProperty("content").GetString());
        var received = upstream.Single;
        Assert.Equal(("GET", "/base/items", "?x=1"), (received.Method, received.Path, received.Query));
        foreach (var header in expected)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            Assert.Equal(header[(colon + 2)..], received.Header(header[..colon]));
        }

        Assert.Equal("application/json", received.Header("Accept"));
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains("caller-own-value", StringComparison.Ordinal));
        if (!expected.Any(e => e.StartsWith("Authorization:", StringComparison.Ordinal)))
        {
            Assert.Null(received.Header("Authorization"));
        }
    }

    [Fact]
    public async Task Use_CallerSetsApiVersion_ItIsKept()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "Notion"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"Notion","credentials":{"type":"NotionAPIKey","api_token":"secret_n"}}""");

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/users", """ "headers":[{"name":"notion-version","value":"2025-09-03"}]"""));

        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal(("2025-09-03", "Bearer secret_n"), (upstream.Single.Header("Notion-Version"), upstream.Single.Header("Authorization")));
    }

    [Fact]
    public async Task Use_AbsoluteUrlOnTheApiHost_IsSent()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-1"}}""");

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", $"{upstream.BaseAddress}v1/chat/completions", """
            "url_parameters":[{"name":"limit","value":"5 & more"}],"body":{"content_type":"application/json","content":"{\"model\":\"x\"}"}
            """));

        Assert.True(response.Status == 200, response.ToString());
        var received = upstream.Single;
        Assert.Equal(("POST", "/v1/chat/completions", "?limit=5%20%26%20more"), (received.Method, received.Path, received.Query));
        Assert.Equal("""{"model":"x"}""", received.BodyText);
        Assert.StartsWith("application/json", received.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("Bearer sk-1", received.Header("Authorization"));
    }

    [Fact]
    public async Task Use_UrlOnAnotherHost_Returns400NamingBothHosts()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-1"}}""");

        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "https://attacker.example/steal"));

        ApiAssert.JsonApiBody(response, 400, $$$"""{"errors":[{"status":"400","title":"Bad Request","detail":"url host 'attacker.example' does not match the connection's host '{{{upstream.Authority}}}'","source":{"pointer":"/data/attributes/url"}}]}""");
        Assert.Empty(upstream.Received);
    }

    [Fact]
    public async Task Use_CloudConnectionPathWithoutApiBase_Returns400BeforeMinting()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);

        // AWS has a host per service and region: no default base for a path (minting would need STS, configured nowhere here).
        var response = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/", """ "aws":{"service":"ec2"} """));

        ApiAssert.JsonApiBody(response, 400, """{"errors":[{"status":"400","title":"Bad Request","detail":"url must be an absolute https URL: the connection has no default API base (its hosts: *.amazonaws.com, *.amazonaws.com.cn)","source":{"pointer":"/data/attributes/url"}}]}""");
    }

    private static string Basic(string pair) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));
}
