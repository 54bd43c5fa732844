using System.Text.Json;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cloud;

/// <summary>
/// AWS, Azure and GCP connections used through <c>POST …/http_requests</c> (issue 14, behaviour 6),
/// end to end against fakes on loopback that check what they receive: an AWS API that verifies
/// SigV4 with the session the fake STS issued, Azure and Google APIs that accept only a token their
/// token endpoint issued. The server runs as its own process, trusting only the test CA.
/// </summary>
public sealed class CloudUseTests
{
    private const string Account = "123456789012";

    private static string ApiBases(params (string Type, FakeEndpoint Endpoint)[] bases) =>
        string.Join(',', bases.Select(b => $"{b.Type}={b.Endpoint.BaseAddress.ToString().TrimEnd('/')}"));

    private static async Task<(CloudServer Server, string Id)> StartAwsAsync(FakeSts sts, FakeAwsApi api, bool trusted = true)
    {
        var server = await CloudServer.StartAsync(new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString(),
            ["ACTIONCONNECTIONS_INTEGRATION_API_BASES"] = ApiBases(("AWS", api.Endpoint)),
        });
        var id = await server.Client.CreateAsync(CloudCredentialsTests.AwsBody("ApiCaller"));
        var read = await server.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
        var externalId = read.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("external_id").GetString()!;
        sts.TrustedExternalIds[$"arn:aws:iam::{Account}:role/ApiCaller"] = trusted ? externalId : "0123456789abcdef0123456789abcdef";
        return (server, id);
    }

    private static Task<CloudServer> StartAzureAsync(FakeAzure azure, FakeBearerApi api) => CloudServer.StartAsync(new Dictionary<string, string>
    {
        ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = azure.Endpoint.BaseAddress.ToString(),
        ["ACTIONCONNECTIONS_INTEGRATION_API_BASES"] = ApiBases(("Azure", api.Endpoint)),
    });

    [Fact]
    public async Task Aws_Use_SignsWithTheAssumedRolesSessionAndPayloadHash_ReusesTheCachedSession_MasksTheToken()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var api = await FakeAwsApi.StartAsync(sts);
        var (server, id) = await StartAwsAsync(sts, api);
        await using var _ = server;

        // Templated and merged as any request: a relative path on the API base, the caller's query
        // (a space, a colon, a repeated name) and parameters, its own x-amz-* header signed too;
        // its Authorization and X-Amz-Security-Token are dropped.
        var body = HttpRequestBodies.Request("POST", "/prod/items?Filter.1.Name=tag:Name&b=2&b=1", """
            "headers":[{"name":"Authorization","value":"AWS4-HMAC-SHA256 caller-own"},{"name":"X-Amz-Security-Token","value":"caller-own"},{"name":"X-Amz-Target","value":"Service.Op"},{"name":"Accept","value":"application/json"}],
            "url_parameters":[{"name":"q","value":"two words"}],
            "body":{"content_type":"application/json","content":"{\"name\":\"widget\",\"size\":3}"},
            "aws":{"service":"execute-api","region":"eu-west-3"}
            """);
        var first = await server.Client.SendThroughAsync(id, body);
        var second = await server.Client.SendThroughAsync(id, body);

        Assert.True(first.Status == 200, first.ToString());
        Assert.Empty(api.Problems);
        Assert.Equal(2, api.Verified);
        foreach (var answer in new[] { first, second })
        {
            var attributes = answer.Json.GetProperty("data").GetProperty("attributes");
            Assert.Equal(200, attributes.GetProperty("status").GetInt32());
            using var upstream = JsonDocument.Parse(attributes.GetProperty("body").GetProperty("content").GetString()!);
            Assert.Equal("/prod/items", upstream.RootElement.GetProperty("path").GetString());
            Assert.Equal("***", upstream.RootElement.GetProperty("echoed_session").GetString());
        }

        // One AssumeRole for both requests: the same cache as POST …/credentials.
        Assert.Equal(1, sts.AssumeRoleCalls);
        var received = api.Endpoint.Requests.ToList();
        Assert.All(received, r => Assert.Contains(r.Headers["X-Amz-Security-Token"], sts.SessionSecrets.Keys));
        Assert.All(received, r => Assert.Equal("""{"name":"widget","size":3}""", r.Body));
        Assert.All(received, r => Assert.Contains("x-amz-target", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.All(received, r => Assert.Contains("q=two%20words", r.Target, StringComparison.Ordinal));
        Assert.DoesNotContain(received, r => r.Headers.Values.Any(v => v.Contains("caller-own", StringComparison.Ordinal)));
        var credentials = await server.Client.SendJsonAsync(HttpMethod.Post, CloudCredentialsTests.PathOf(id));
        Assert.Equal(201, credentials.Status);
        Assert.Equal(received[0].Headers["X-Amz-Security-Token"], credentials.Json.GetProperty("data").GetProperty("attributes").GetProperty("session_token").GetString());
        Assert.Equal(1, sts.AssumeRoleCalls);

        // Audited as any use; nothing minted in the store, the trail or the log.
        var audit = await server.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.http_request");
        var events = audit.Json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("attributes")).ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.StartsWith($"POST 127.0.0.1 /prod/items -> 200 in ", e.GetProperty("detail").GetString(), StringComparison.Ordinal));
        var stored = await server.Store.ReadStoredTextAsync();
        foreach (var secret in sts.IssuedSecrets)
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, audit.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, first.Body, StringComparison.Ordinal);
        }

        Assert.Empty(sts.Problems);
    }

    [Fact]
    public async Task Aws_Use_WithoutAwsAttribute_SignsForTheDefaultRegion_AndNeedsTheServiceWhenTheHostDoesNotNameIt()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var api = await FakeAwsApi.StartAsync(sts);
        var (server, id) = await StartAwsAsync(sts, api);
        await using var _ = server;

        // 127.0.0.1 names no service: it must be given.
        var missing = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/things"));
        ApiAssert.Error(missing, 400, "/data/attributes/aws/service", "aws.service is required");

        // The region defaults to ACTIONCONNECTIONS_AWS_REGION (us-east-1 unless set).
        api.Service = "ec2";
        api.Region = "us-east-1";
        var signed = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/things", """ "aws":{"service":"ec2"} """));
        Assert.True(signed.Status == 200, signed.ToString());
        Assert.Equal(200, signed.Json.GetProperty("data").GetProperty("attributes").GetProperty("status").GetInt32());
        Assert.Empty(api.Problems);
        Assert.Equal(1, api.Verified);
    }

    [Fact]
    public async Task Aws_Use_InvalidAwsAttribute_Is400WithPointers_WithoutMinting()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var api = await FakeAwsApi.StartAsync(sts);
        var (server, id) = await StartAwsAsync(sts, api);
        await using var _ = server;

        var invalid = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/things", """ "aws":{"service":"Not A Service","region":"moon-1"} """));

        Assert.Equal(400, invalid.Status);
        var pointers = invalid.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("source").GetProperty("pointer").GetString()).ToList();
        Assert.Equal(["/data/attributes/aws/service", "/data/attributes/aws/region"], pointers);
        Assert.Equal(0, sts.AssumeRoleCalls);
        Assert.Empty(api.Endpoint.Requests);
    }

    [Fact]
    public async Task Aws_Use_RoleRefusesTheExternalId_IsTheSame422AsCredentials_CountedAndAudited()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var api = await FakeAwsApi.StartAsync(sts);
        var (server, id) = await StartAwsAsync(sts, api, trusted: false);
        await using var _ = server;

        var used = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/things", """ "aws":{"service":"execute-api"} """));
        var minted = await server.Client.SendJsonAsync(HttpMethod.Post, CloudCredentialsTests.PathOf(id));

        Assert.Equal(422, used.Status);
        Assert.Equal(ApiAssert.JsonApi, used.ContentType);
        Assert.Equal(minted.Status, used.Status);
        Assert.Equal(minted.Json.GetProperty("errors")[0].GetProperty("detail").GetString(), used.Json.GetProperty("errors")[0].GetProperty("detail").GetString());
        Assert.StartsWith("AWS STS refused: AccessDenied: ", used.Json.GetProperty("errors")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(api.Endpoint.Requests);
        var audit = await server.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.http_request");
        var attributes = Assert.Single(audit.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal("failure", attributes.GetProperty("outcome").GetString());
        Assert.Equal(422, attributes.GetProperty("status").GetInt32());
        Assert.Equal("GET 127.0.0.1 /things -> credentials refused: AccessDenied", attributes.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Aws_Use_RedirectOnItsHost_IsReSigned_ToAnotherHost_IsTheAnswer()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var api = await FakeAwsApi.StartAsync(sts);
        await using var elsewhere = await FakeAwsApi.StartAsync(sts);
        var (server, id) = await StartAwsAsync(sts, api);
        await using var _ = server;
        api.Redirects["/old"] = "/new?moved=yes";
        api.Redirects["/away"] = new Uri(elsewhere.Endpoint.BaseAddress, "/taken").ToString().Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        const string Aws = """ "follow_redirects":true,"aws":{"service":"execute-api","region":"eu-west-3"},"body":{"content_type":"text/plain","content":"kept on 307"} """;

        var followed = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("PUT", "/old", Aws));
        var stopped = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("PUT", "/away", Aws));

        Assert.True(followed.Status == 200, followed.ToString());
        Assert.Equal(200, followed.Json.GetProperty("data").GetProperty("attributes").GetProperty("status").GetInt32());
        Assert.Equal(["/old", "/new", "/away"], api.Endpoint.Requests.Select(r => r.Path));
        Assert.All(api.Endpoint.Requests, r => Assert.Equal("kept on 307", r.Body));
        Assert.Equal(3, api.Verified);
        Assert.Empty(api.Problems);
        Assert.Equal(200, stopped.Status);
        Assert.Equal(307, stopped.Json.GetProperty("data").GetProperty("attributes").GetProperty("status").GetInt32());
        Assert.Empty(elsewhere.Endpoint.Requests);
    }

    [Theory]
    [InlineData("https://example.com/")]
    [InlineData("https://amazonaws.com/")]
    [InlineData("https://ec2.amazonaws.com.example.com/")]
    [InlineData("http://ec2.us-east-1.amazonaws.com/")]
    [InlineData("https://ec2.us-east-1.amazonaws.com:8443/")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("/relative/without/a/base")]
    public async Task Aws_Use_DefaultDestinations_AnotherHostIsRefusedBeforeMinting(string url)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString() });
        var id = await server.Client.CreateAsync(CloudCredentialsTests.AwsBody("ApiCaller"));

        var refused = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", url, """ "aws":{"service":"ec2"} """));

        ApiAssert.Error(refused, 400, "/data/attributes/url", url.StartsWith('/') ? "url must be an absolute https URL" : "is not one of the connection's hosts (*.amazonaws.com, *.amazonaws.com.cn");
        Assert.Equal(0, sts.AssumeRoleCalls);
    }

    [Fact]
    public async Task Aws_Use_WithAnOverride_OnlyItsHost()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var api = await FakeAwsApi.StartAsync(sts);
        var (server, id) = await StartAwsAsync(sts, api);
        await using var _ = server;

        var refused = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "https://ec2.us-east-1.amazonaws.com/", """ "aws":{"service":"ec2"} """));

        ApiAssert.Error(refused, 400, "/data/attributes/url", $"url host 'ec2.us-east-1.amazonaws.com' does not match the connection's host '{api.Endpoint.Authority}'");
        Assert.Equal(0, sts.AssumeRoleCalls);
    }

    [Fact]
    public async Task Azure_Use_SendsTheMintedBearerToken_CallersAuthorizationDropped_TokenMasked()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var azure = await FakeAzure.StartAsync();
        await using var api = await FakeBearerApi.StartAsync(() => azure.IssuedTokens);
        await using var server = await StartAzureAsync(azure, api);
        var id = await server.Client.CreateAsync(CloudCredentialsTests.AzureBody(azure));

        var body = HttpRequestBodies.Request("GET", "/subscriptions?api-version=2022-12-01", """ "headers":[{"name":"Authorization","value":"Bearer caller-own"}] """);
        var first = await server.Client.SendThroughAsync(id, body);
        var second = await server.Client.SendThroughAsync(id, body);

        Assert.True(first.Status == 200, first.ToString());
        Assert.Empty(api.Problems);
        Assert.Empty(azure.Problems);
        Assert.Equal(1, azure.TokenCalls);
        var token = Assert.Single(azure.IssuedTokens);
        Assert.All(api.Endpoint.Requests, r => Assert.Equal($"Bearer {token}", r.Headers["Authorization"]));
        Assert.Equal(2, api.Endpoint.Requests.Count);
        foreach (var answer in new[] { first, second })
        {
            var attributes = answer.Json.GetProperty("data").GetProperty("attributes");
            Assert.Equal(200, attributes.GetProperty("status").GetInt32());
            Assert.Contains("\"echoed_token\":\"***\"", attributes.GetProperty("body").GetProperty("content").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(token, answer.Body, StringComparison.Ordinal);
        }

        Assert.Contains("https://management.azure.com/.default", azure.Endpoint.Requests.Single().Form["scope"], StringComparison.Ordinal);
        Assert.DoesNotContain(token, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_Use_ClientSecretRefused_Is422()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var azure = await FakeAzure.StartAsync();
        await using var api = await FakeBearerApi.StartAsync(() => azure.IssuedTokens);
        await using var server = await StartAzureAsync(azure, api);
        var id = await server.Client.CreateAsync(CloudCredentialsTests.AzureBody(azure, secret: "wrong-secret"));

        var used = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/subscriptions"));

        ApiAssert.Error(used, 422, null, "Microsoft Entra ID refused: invalid_client: ");
        Assert.Empty(api.Endpoint.Requests);
    }

    [Fact]
    public async Task Gcp_Use_SendsTheMintedBearerToken_ToAnAbsoluteUrlOnItsHost()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var google = await FakeGoogle.StartAsync();
        await using var api = await FakeBearerApi.StartAsync(() => google.IssuedTokens);
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = google.TokenUri,
            ["ACTIONCONNECTIONS_INTEGRATION_API_BASES"] = ApiBases(("GCP", api.Endpoint)),
        });
        var id = await server.Client.CreateAsync(CloudCredentialsTests.GcpBody(google.Email, google.PrivateKeyPem));

        var used = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("POST", new Uri(api.Endpoint.BaseAddress, "/compute/v1/projects/p/zones/z/instances").ToString(), """
            "body":{"content_type":"application/json","content":"{\"name\":\"vm-1\"}"}
            """));

        Assert.True(used.Status == 200, used.ToString());
        Assert.Equal(200, used.Json.GetProperty("data").GetProperty("attributes").GetProperty("status").GetInt32());
        Assert.Empty(api.Problems);
        Assert.Empty(google.Problems);
        var received = Assert.Single(api.Endpoint.Requests);
        Assert.Equal($"Bearer {Assert.Single(google.IssuedTokens)}", received.Headers["Authorization"]);
        Assert.Equal("""{"name":"vm-1"}""", received.Body);
        Assert.Equal("https://www.googleapis.com/auth/cloud-platform", Assert.Single(google.Scopes));
        Assert.DoesNotContain(google.IssuedTokens.Single(), used.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GCP", "https://storage.example.com/b")]
    [InlineData("GCP", "https://googleapis.com/b")]
    [InlineData("Azure", "https://login.microsoftonline.com/x")]
    [InlineData("Azure", "https://evil.management.azure.com/x")]
    public async Task BearerClouds_DefaultDestinations_AnotherHostIsRefused(string type, string url)
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var azure = await FakeAzure.StartAsync();
        await using var google = await FakeGoogle.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = azure.Endpoint.BaseAddress.ToString(),
            ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = google.TokenUri,
        });
        var id = await server.Client.CreateAsync(type == "GCP" ? CloudCredentialsTests.GcpBody(google.Email, google.PrivateKeyPem) : CloudCredentialsTests.AzureBody(azure));

        var refused = await server.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", url));

        ApiAssert.Error(refused, 400, "/data/attributes/url", type == "GCP" ? "is not one of the connection's hosts (*.googleapis.com" : "is not one of the connection's hosts (management.azure.com, graph.microsoft.com");
        Assert.Equal(0, azure.TokenCalls + google.TokenCalls);
    }

    [Fact]
    public async Task AwsAttribute_OnAnotherIntegration_Is400()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var upstream = await FakeUpstream.StartAsync();
        await using var app = await TestApp.StartAsync(HttpRequestBodies.Settings(upstream, "OpenAI"));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-s3cret"}}""");

        var refused = await app.Client.SendThroughAsync(id, HttpRequestBodies.Request("GET", "/models", """ "aws":{"service":"ec2"} """));

        ApiAssert.Error(refused, 400, "/data/attributes/aws", "aws applies to AWS connections only");
        Assert.Empty(upstream.Received);
    }
}
