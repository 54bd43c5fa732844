using System.Globalization;
using System.Text.Json;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cloud;

/// <summary>
/// Minting against fakes on loopback that check what they are sent. The server runs as its own
/// process, trusting only the test CA (<c>SSL_CERT_FILE</c>) and holding a known AWS identity.
/// </summary>
public sealed class CloudCredentialsTests
{
    private const string Account = "123456789012";

    private static string Mint(int? duration = null, string? scopes = null)
    {
        var attributes = new List<string>();
        if (duration is { } d)
        {
            attributes.Add($"\"duration_seconds\":{d}");
        }

        if (scopes is not null)
        {
            attributes.Add($"\"scopes\":{scopes}");
        }

        return "{\"data\":{\"type\":\"credentials_request\",\"attributes\":{" + string.Join(',', attributes) + "}}}";
    }

    internal static string AwsBody(string role) =>
        JsonSerializer.Serialize(new { type = "AWS", credentials = new { type = "AWSAssumeRole", account_id = Account, role } });

    internal static string AzureBody(FakeAzure azure, string? secret = null, string? customScopes = null) =>
        JsonSerializer.Serialize(new { type = "Azure", credentials = new { type = "AzureTenant", tenant_id = azure.TenantId, app_client_id = azure.ClientId, client_secret = secret ?? azure.ClientSecret, custom_scopes = customScopes } });

    internal static string GcpBody(string email, string privateKey) =>
        JsonSerializer.Serialize(new { type = "GCP", credentials = new { type = "GCPServiceAccount", service_account_email = email, private_key = privateKey } });

    internal static string PathOf(string id) => $"/api/v2/actionconnections/connections/{id}/credentials";

    private static async Task<(string Id, string ExternalId, string RoleArn)> CreateAwsAsync(HttpClient client, string role = "AutomationRole")
    {
        var id = await client.CreateAsync(AwsBody(role));
        var externalId = await ExternalIdAsync(client, id);
        return (id, externalId, $"arn:aws:iam::{Account}:role/{role}");
    }

    private static async Task<string> ExternalIdAsync(HttpClient client, string id)
    {
        var read = await client.GetJsonAsync($"/api/v2/actions/connections/{id}");
        return read.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("external_id").GetString()!;
    }

    [Fact]
    public async Task Aws_RoleTrustingTheExternalId_MintsSessionCredentialsSignedBySigV4()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString() });
        var (id, externalId, roleArn) = await CreateAwsAsync(server.Client);
        sts.TrustedExternalIds[roleArn] = externalId;

        var before = DateTimeOffset.UtcNow;
        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint(duration: 1800));

        Assert.True(response.Status == 201, response.ToString());
        Assert.Equal(ApiAssert.JsonApi, response.ContentType);
        var data = response.Json.GetProperty("data");
        Assert.Equal("aws_credentials", data.GetProperty("type").GetString());
        Assert.True(Guid.TryParse(data.GetProperty("id").GetString(), out _));
        var attributes = data.GetProperty("attributes");
        Assert.Equal(FakeSts.RoleAccessKeyId, attributes.GetProperty("access_key_id").GetString());
        Assert.Contains(attributes.GetProperty("secret_access_key").GetString(), sts.IssuedSecrets);
        Assert.Contains(attributes.GetProperty("session_token").GetString(), sts.IssuedSecrets);
        Assert.Equal($"arn:aws:sts::{Account}:assumed-role/AutomationRole/actionconnections-{Guid.Parse(id):N}", attributes.GetProperty("assumed_role_arn").GetString());
        var expiration = DateTimeOffset.Parse(attributes.GetProperty("expiration").GetString()!, CultureInfo.InvariantCulture);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", attributes.GetProperty("expiration").GetString());
        Assert.InRange(expiration, before.AddSeconds(1790), DateTimeOffset.UtcNow.AddSeconds(1810));

        var call = Assert.Single(sts.Endpoint.Requests, r => r.Form.GetValueOrDefault("Action") == "AssumeRole");
        Assert.Equal(roleArn, call.Form["RoleArn"]);
        Assert.Equal(externalId, call.Form["ExternalId"]);
        Assert.Equal("1800", call.Form["DurationSeconds"]);
        Assert.Equal($"actionconnections-{Guid.Parse(id):N}", call.Form["RoleSessionName"]);
        Assert.Empty(sts.Problems);
    }

    [Fact]
    public async Task Aws_DefaultDuration_Is900Seconds()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString() });
        var (id, externalId, roleArn) = await CreateAwsAsync(server.Client);
        sts.TrustedExternalIds[roleArn] = externalId;

        // No body at all: every attribute has its default.
        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id));

        Assert.True(response.Status == 201, response.ToString());
        Assert.Equal("900", Assert.Single(sts.Endpoint.Requests, r => r.Form.GetValueOrDefault("Action") == "AssumeRole").Form["DurationSeconds"]);
    }

    [Fact]
    public async Task Aws_RoleTrustingAnotherExternalId_Is422WithTheProvidersCode_AndAudited()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString() });
        var (id, _, roleArn) = await CreateAwsAsync(server.Client);
        sts.TrustedExternalIds[roleArn] = "0123456789abcdef0123456789abcdef";

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());

        Assert.Equal(422, response.Status);
        Assert.Equal(ApiAssert.JsonApi, response.ContentType);
        var error = response.Json.GetProperty("errors")[0];
        Assert.Equal("422", error.GetProperty("status").GetString());
        Assert.StartsWith("AWS STS refused: AccessDenied: User: arn:aws:iam::464622532012:user/actionconnections is not authorized to perform: sts:AssumeRole", error.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var audit = await server.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.credentials");
        var attributes = Assert.Single(audit.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal("failure", attributes.GetProperty("outcome").GetString());
        Assert.Equal(422, attributes.GetProperty("status").GetInt32());
        Assert.Equal(id, attributes.GetProperty("target_id").GetString());
        Assert.Equal("provider=aws duration_seconds=900 result=AccessDenied", attributes.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Aws_Cache_ReusesUntilPatchOrNewExternalIdOrDelete()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString() });
        var (id, externalId, roleArn) = await CreateAwsAsync(server.Client);
        sts.TrustedExternalIds[roleArn] = externalId;

        var first = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        var again = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        Assert.Equal(201, again.Status);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(1, sts.AssumeRoleCalls);
        var audit = await server.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.credentials");
        Assert.Equal(
            ["provider=aws duration_seconds=900 result=minted source=cache", "provider=aws duration_seconds=900 result=minted source=provider"],
            audit.Json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("attributes").GetProperty("detail").GetString()));

        // Another request (another duration) is another credential.
        var longer = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint(duration: 3600));
        Assert.Equal(201, longer.Status);
        Assert.Equal(2, sts.AssumeRoleCalls);

        // Any update drops what was minted.
        var renamed = await server.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"renamed"}"""));
        Assert.Equal(200, renamed.Status);
        var afterRename = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        Assert.Equal(201, afterRename.Status);
        Assert.NotEqual(first.Body, afterRename.Body);
        Assert.Equal(3, sts.AssumeRoleCalls);

        // A new external id: the next mint presents it (the role still trusts the old one: refused).
        var regenerated = await server.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}",
            ConnectionBodies.Update("""{"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","generate_new_external_id":true}}}"""));
        Assert.Equal(200, regenerated.Status);
        var newExternalId = await ExternalIdAsync(server.Client, id);
        Assert.NotEqual(externalId, newExternalId);
        var refused = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        Assert.Equal(422, refused.Status);
        Assert.Equal(newExternalId, sts.Endpoint.Requests.Last().Form["ExternalId"]);
        sts.TrustedExternalIds[roleArn] = newExternalId;
        Assert.Equal(201, (await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint())).Status);
        Assert.Equal(5, sts.AssumeRoleCalls);

        var deleted = await server.Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/connections/{id}");
        Assert.Equal(204, deleted.Status);
        var gone = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        Assert.Equal(404, gone.Status);
        Assert.Equal(5, sts.AssumeRoleCalls);
        Assert.Empty(sts.Problems);
    }

    [Fact]
    public async Task Azure_ClientCredentials_MintBearerTokenForTheDefaultCustomOrRequestedScope()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var azure = await FakeAzure.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = azure.Endpoint.BaseAddress.ToString() });
        var id = await server.Client.CreateAsync(AzureBody(azure));

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint(duration: 900));

        Assert.True(response.Status == 201, response.ToString());
        var data = response.Json.GetProperty("data");
        Assert.Equal("oauth2_access_token", data.GetProperty("type").GetString());
        var attributes = data.GetProperty("attributes");
        Assert.Contains(attributes.GetProperty("access_token").GetString(), azure.IssuedTokens);
        Assert.Equal("Bearer", attributes.GetProperty("token_type").GetString());
        Assert.Equal("""["https://management.azure.com/.default"]""", attributes.GetProperty("scopes").GetRawText());
        var expiration = DateTimeOffset.Parse(attributes.GetProperty("expiration").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(expiration, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61));
        var call = Assert.Single(azure.Endpoint.Requests);
        Assert.Equal("client_credentials", call.Form["grant_type"]);
        Assert.Equal(azure.ClientId, call.Form["client_id"]);
        Assert.Equal(azure.ClientSecret, call.Form["client_secret"]);
        Assert.Equal("https://management.azure.com/.default", call.Form["scope"]);

        var custom = await server.Client.CreateAsync(AzureBody(azure, customScopes: "https://graph.microsoft.com/.default"));
        Assert.Equal(201, (await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(custom), Mint())).Status);
        Assert.Equal("https://graph.microsoft.com/.default", azure.Endpoint.Requests.Last().Form["scope"]);

        var asked = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(custom), Mint(scopes: """["https://vault.azure.net/.default"]"""));
        Assert.Equal(201, asked.Status);
        Assert.Equal("https://vault.azure.net/.default", azure.Endpoint.Requests.Last().Form["scope"]);
        Assert.Empty(azure.Problems);
    }

    [Fact]
    public async Task Azure_WrongClientSecret_Is422InvalidClient()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var azure = await FakeAzure.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = azure.Endpoint.BaseAddress.ToString() });
        var id = await server.Client.CreateAsync(AzureBody(azure, secret: "not-the-secret"));

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());

        Assert.Equal(422, response.Status);
        var detail = response.Json.GetProperty("errors")[0].GetProperty("detail").GetString()!;
        Assert.StartsWith("Microsoft Entra ID refused: invalid_client: ", detail, StringComparison.Ordinal);
        Assert.Contains("AADSTS7000215", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gcp_ServiceAccountKey_MintsTokenFromAnRs256Assertion_CachedUntilPatch()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var google = await FakeGoogle.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = google.TokenUri });
        var id = await server.Client.CreateAsync(GcpBody(google.Email, google.PrivateKeyPem));

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint(duration: 900));

        Assert.True(response.Status == 201, response.ToString());
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal("oauth2_access_token", response.Json.GetProperty("data").GetProperty("type").GetString());
        Assert.Contains(attributes.GetProperty("access_token").GetString(), google.IssuedTokens);
        Assert.Equal("Bearer", attributes.GetProperty("token_type").GetString());
        Assert.Equal("""["https://www.googleapis.com/auth/cloud-platform"]""", attributes.GetProperty("scopes").GetRawText());
        Assert.Equal("https://www.googleapis.com/auth/cloud-platform", Assert.Single(google.Scopes));
        Assert.Empty(google.Problems);

        var cached = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        Assert.Equal(response.Body, cached.Body);
        Assert.Equal(1, google.TokenCalls);

        var scoped = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint(scopes: """["https://www.googleapis.com/auth/devstorage.read_only","https://www.googleapis.com/auth/compute"]"""));
        Assert.Equal(201, scoped.Status);
        Assert.Equal("https://www.googleapis.com/auth/devstorage.read_only https://www.googleapis.com/auth/compute", google.Scopes.Last());

        var patched = await server.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"tags":["team:ops"]}"""));
        Assert.Equal(200, patched.Status);
        var fresh = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
        Assert.Equal(201, fresh.Status);
        Assert.NotEqual(response.Body, fresh.Body);
        Assert.Equal(3, google.TokenCalls);
    }

    [Fact]
    public async Task Gcp_KeyThatIsNotAKey_Is422WithoutAskingGoogle()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var google = await FakeGoogle.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = google.TokenUri });
        var id = await server.Client.CreateAsync(GcpBody(google.Email, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"));

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());

        Assert.True(response.Status == 422, server.Output);
        ApiAssert.JsonApiBody(response, 422, """{"errors":[{"status":"422","title":"Unprocessable Entity","detail":"Google OAuth 2.0 refused: invalid_private_key: the connection's private_key is not a PEM-encoded RSA private key"}]}""");
        Assert.Equal(0, google.TokenCalls);
    }

    [Fact]
    public async Task Minted_Credentials_AreNeverStoredAuditedOrLogged()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var azure = await FakeAzure.StartAsync();
        await using var google = await FakeGoogle.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString(),
            ["ACTIONCONNECTIONS_AZURE_AUTHORITY"] = azure.Endpoint.BaseAddress.ToString(),
            ["ACTIONCONNECTIONS_GCP_TOKEN_URI"] = google.TokenUri,
        });
        var (awsId, externalId, roleArn) = await CreateAwsAsync(server.Client);
        sts.TrustedExternalIds[roleArn] = externalId;
        var azureId = await server.Client.CreateAsync(AzureBody(azure));
        var gcpId = await server.Client.CreateAsync(GcpBody(google.Email, google.PrivateKeyPem));

        foreach (var id in new[] { awsId, azureId, gcpId })
        {
            var answer = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());
            Assert.True(answer.Status == 201, answer.ToString());
        }

        var audit = await server.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=connection.credentials");
        var events = audit.Json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("attributes")).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("success", e.GetProperty("outcome").GetString()));
        Assert.Equal(
            ["provider=aws duration_seconds=900 result=minted source=provider", "provider=azure duration_seconds=900 result=minted source=provider", "provider=gcp duration_seconds=900 result=minted source=provider"],
            events.Select(e => e.GetProperty("detail").GetString()).Order(StringComparer.Ordinal));

        var stored = await server.Store.ReadStoredTextAsync();
        var minted = sts.IssuedSecrets.Concat(azure.IssuedTokens).Concat(google.IssuedTokens).ToList();
        Assert.Equal(4, minted.Count);
        foreach (var secret in minted.Append(azure.ClientSecret))
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, audit.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, server.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Credentials for connection", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_TooSlow_Is504()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString(),
            ["ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS"] = "1",
        });
        var (id, externalId, roleArn) = await CreateAwsAsync(server.Client);
        sts.TrustedExternalIds[roleArn] = externalId;
        sts.Delay = TimeSpan.FromSeconds(10);

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());

        Assert.True(response.Status == 504, server.Output);
        ApiAssert.JsonApiBody(response, 504, """{"errors":[{"status":"504","title":"Gateway Timeout","detail":"AWS STS did not answer in time"}]}""");
    }

    [Fact]
    public async Task Aws_StsAtTheMetadataAddress_IsRefusedByTheEgressPolicy()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = "https://169.254.169.254" });
        var (id, _, _) = await CreateAwsAsync(server.Client);

        var response = await server.Client.SendJsonAsync(HttpMethod.Post, PathOf(id), Mint());

        Assert.Equal(502, response.Status);
        Assert.StartsWith("AWS STS could not be reached (egress_denied): egress denied: 169.254.169.254", response.Json.GetProperty("errors")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_AwsIdentityInAnotherAccountThanPrincipalId_IsLoggedOnce()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        sts.CallerAccount = "111122223333";
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string> { ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString() });

        const string Line = "The server's AWS identity arn:aws:iam::111122223333:user/actionconnections is in account 111122223333, but ACTIONCONNECTIONS_AWS_PRINCIPAL_ID is 464622532012";
        for (var i = 0; i < 200 && !server.Output.Contains(Line, StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(Line, server.Output, StringComparison.Ordinal);
        Assert.Equal(1, server.Output.Split('\n').Count(l => l.Contains("The server's AWS identity", StringComparison.Ordinal)));
        Assert.Empty(sts.Problems);
    }
}
