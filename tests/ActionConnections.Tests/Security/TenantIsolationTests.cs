using System.Text;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Organisation B acting on organisation A's resources: every operation that takes an id answers
/// B exactly as it answers an id that exists nowhere (same status, content type and body), B's
/// lists never show A's resources, and A's resources are unchanged afterwards.
/// </summary>
public sealed class TenantIsolationTests
{
    private const string Connections = "/api/v2/actions/connections";
    private const string Registrations = "/api/v2/actions/app_key_registrations";

    /// <summary>
    /// Placeholders name A's resources: <c>{connection}</c>, <c>{appkey}</c> (A's admin's key,
    /// registered), <c>{apikey}</c>, <c>{sa}</c> (A's service account), <c>{sakey}</c> (its key). For
    /// the comparison request each is a UUID that exists nowhere. <c>{bsa}</c> is always B's own
    /// service account, so B names its own account with A's key id.
    /// </summary>
    [Theory]
    [InlineData("GET", Connections + "/{connection}", null)]
    [InlineData("PATCH", Connections + "/{connection}", """{"data":{"type":"action_connection","attributes":{"name":"taken over"}}}""")]
    [InlineData("PATCH", Connections + "/{connection}", """{"data":{"type":"action_connection","attributes":{"integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-B"}}}}}""")]
    [InlineData("DELETE", Connections + "/{connection}", null)]
    [InlineData("GET", Registrations + "/{appkey}", null)]
    [InlineData("PUT", Registrations + "/{appkey}", null)]
    [InlineData("DELETE", Registrations + "/{appkey}", null)]
    [InlineData("GET", "/api/v2/api_keys/{apikey}", null)]
    [InlineData("PATCH", "/api/v2/api_keys/{apikey}", """{"data":{"type":"api_keys","id":"{apikey}","attributes":{"name":"taken over"}}}""")]
    [InlineData("DELETE", "/api/v2/api_keys/{apikey}", null)]
    [InlineData("GET", "/api/v2/application_keys/{appkey}", null)]
    [InlineData("PATCH", "/api/v2/application_keys/{appkey}", """{"data":{"type":"application_keys","id":"{appkey}","attributes":{"name":"taken over","scopes":null}}}""")]
    [InlineData("DELETE", "/api/v2/application_keys/{appkey}", null)]
    [InlineData("GET", "/api/v2/current_user/application_keys/{appkey}", null)]
    [InlineData("PATCH", "/api/v2/current_user/application_keys/{appkey}", """{"data":{"type":"application_keys","id":"{appkey}","attributes":{"name":"taken over"}}}""")]
    [InlineData("DELETE", "/api/v2/current_user/application_keys/{appkey}", null)]
    [InlineData("GET", "/api/v2/service_accounts/{sa}/application_keys", null)]
    [InlineData("POST", "/api/v2/service_accounts/{sa}/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"planted"}}}""")]
    [InlineData("GET", "/api/v2/service_accounts/{sa}/application_keys/{sakey}", null)]
    [InlineData("PATCH", "/api/v2/service_accounts/{sa}/application_keys/{sakey}", """{"data":{"type":"application_keys","id":"{sakey}","attributes":{"name":"taken over"}}}""")]
    [InlineData("DELETE", "/api/v2/service_accounts/{sa}/application_keys/{sakey}", null)]
    [InlineData("GET", "/api/v2/service_accounts/{bsa}/application_keys/{sakey}", null)]
    [InlineData("PATCH", "/api/v2/service_accounts/{bsa}/application_keys/{sakey}", """{"data":{"type":"application_keys","id":"{sakey}","attributes":{"name":"taken over"}}}""")]
    [InlineData("DELETE", "/api/v2/service_accounts/{bsa}/application_keys/{sakey}", null)]
    public async Task OtherOrganisation_ActingOnAResourceById_GetsWhatANonexistentIdGets(string method, string pathTemplate, string? bodyTemplate)
    {
        await using var app = await TestApp.StartAsync();
        var a = await SeedAsync(app);
        var b = await app.CreateTenantAsync("B");
        var bServiceAccount = await app.Service<IIdentityStore>().CreatePrincipalAsync(b.OrgId, PrincipalKind.ServiceAccount, "b robot", null, Role.Standard, CancellationToken.None);
        var before = await SnapshotAsync(app.Client, a);

        var onA = await SendAsync(b.Client, method, pathTemplate, bodyTemplate, a.Ids, bServiceAccount.Id);
        var nowhere = await SendAsync(b.Client, method, pathTemplate, bodyTemplate, a.Ids.ToDictionary(p => p.Key, _ => Guid.NewGuid().ToString()), bServiceAccount.Id);

        Assert.InRange(onA.Status, 400, 499);
        Assert.Equal(nowhere.ToString(), onA.ToString());
        Assert.Equal(before, await SnapshotAsync(app.Client, a));
    }

    [Fact]
    public async Task OtherOrganisation_Lists_NeverShowAnotherOrganisationsResources()
    {
        await using var app = await TestApp.StartAsync();
        var a = await SeedAsync(app);
        var b = await app.CreateTenantAsync("B");
        var bServiceAccount = await app.Service<IIdentityStore>().CreatePrincipalAsync(b.OrgId, PrincipalKind.ServiceAccount, "b robot", null, Role.Standard, CancellationToken.None);
        await b.Client.CreateAsync(ConnectionBodies.AwsIntegration, "B's own");
        string[] lists =
        [
            $"{Connections}?page[size]=1000", $"{Connections}?filter[name]=secret%20ops", $"{Connections}?filter[integration]=OpenAI",
            $"{Registrations}?page[size]=1000", "/api/v2/api_keys?page[size]=100", "/api/v2/application_keys?page[size]=100",
            "/api/v2/current_user/application_keys?page[size]=100", $"/api/v2/service_accounts/{bServiceAccount.Id}/application_keys",
            "/api/v2/actionconnections/audit_events?page[size]=1000",
        ];

        foreach (var list in lists)
        {
            var response = await b.Client.GetJsonAsync(list);

            Assert.True(response.Status == 200, $"{list}: {response}");
            foreach (var (name, id) in a.Ids.Append(new("admin", app.AdminId.ToString())).Append(new("org", app.OrgId.ToString())))
            {
                Assert.False(response.Body.Contains(id, StringComparison.OrdinalIgnoreCase), $"{list} shows A's {name}: {response.Body}");
            }

            Assert.DoesNotContain("secret ops", response.Body, StringComparison.Ordinal);
        }

        var mine = await b.Client.GetJsonAsync($"{Connections}?page[size]=1000");
        Assert.Equal(["B's own"], mine.Json.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("attributes").GetProperty("name").GetString()!).ToArray());
    }

    private static async Task<TestResponse> SendAsync(HttpClient client, string method, string pathTemplate, string? bodyTemplate, IReadOnlyDictionary<string, string> ids, Guid bServiceAccount)
    {
        string Fill(string template)
        {
            foreach (var (name, id) in ids)
            {
                template = template.Replace($"{{{name}}}", id, StringComparison.Ordinal);
            }

            return template.Replace("{bsa}", bServiceAccount.ToString(), StringComparison.Ordinal);
        }

        return await client.SendJsonAsync(new HttpMethod(method), Fill(pathTemplate), bodyTemplate is null ? null : Fill(bodyTemplate));
    }

    /// <summary>A's resources: a connection, its registered key, an API key, a service account with a key.</summary>
    private static async Task<OrgA> SeedAsync(TestApp app)
    {
        await app.RegisterBootstrapKeyAsync();
        var connection = await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-A"}}""", "secret ops");
        var apiKey = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/api_keys", """{"data":{"type":"api_keys","attributes":{"name":"A's key"}}}""");
        var robot = await app.Service<IIdentityStore>().CreatePrincipalAsync(app.OrgId, PrincipalKind.ServiceAccount, "A robot", null, Role.Standard, CancellationToken.None);
        var robotKey = await app.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/service_accounts/{robot.Id}/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"A robot key"}}}""");
        Assert.Equal((201, 201), (apiKey.Status, robotKey.Status));
        return new OrgA(new Dictionary<string, string>
        {
            ["connection"] = connection,
            ["appkey"] = app.AppKeyId.ToString(),
            ["apikey"] = apiKey.Json.GetProperty("data").GetProperty("id").GetString()!,
            ["sa"] = robot.Id.ToString(),
            ["sakey"] = robotKey.Json.GetProperty("data").GetProperty("id").GetString()!,
        });
    }

    /// <summary>Everything A sees of its resources, audit trail included.</summary>
    private static async Task<string> SnapshotAsync(HttpClient a, OrgA org)
    {
        var ids = org.Ids;
        string[] paths =
        [
            $"{Connections}?page[size]=1000", $"{Connections}/{ids["connection"]}", $"{Registrations}?page[size]=1000", $"{Registrations}/{ids["appkey"]}",
            "/api/v2/api_keys?page[size]=100", $"/api/v2/api_keys/{ids["apikey"]}", "/api/v2/application_keys?page[size]=100",
            $"/api/v2/application_keys/{ids["appkey"]}", $"/api/v2/application_keys/{ids["sakey"]}", "/api/v2/current_user/application_keys?page[size]=100",
            $"/api/v2/service_accounts/{ids["sa"]}/application_keys", "/api/v2/actionconnections/audit_events?page[size]=1000",
        ];
        var snapshot = new StringBuilder();
        foreach (var path in paths)
        {
            var response = await a.GetJsonAsync(path);
            Assert.True(response.Status == 200, $"{path}: {response}");
            snapshot.Append(path).Append(' ').AppendLine(response.Body);
        }

        return snapshot.ToString();
    }

    private sealed record OrgA(IReadOnlyDictionary<string, string> Ids);
}
