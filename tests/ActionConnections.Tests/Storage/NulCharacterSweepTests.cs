using System.Text.Json.Nodes;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Connections;
using ActionConnections.Tests.Infrastructure;
using ActionConnections.Tests.KeyManagement;

namespace ActionConnections.Tests.Storage;

/// <summary>
/// Issue 11, item 4: PostgreSQL text cannot hold U+0000, so every string of every request body is
/// refused with it, the same way on every provider (this suite runs once per provider). The sweep
/// takes one valid body per operation and integration and sends it once per string member, with
/// U+0000 appended to that one string.
/// </summary>
public sealed class NulCharacterSweepTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task EveryStringOfEveryBody_WithU0000_Is400NamingIt_AndNothingIsStored()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:RateLimitRequests"] = "100000" });
        await app.RegisterBootstrapKeyAsync();
        var connectionId = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "kept");
        var apiKey = await app.Client.CreateApiKeyAsync("kept");
        var appKey = await app.Client.CreateAppKeyAsync("kept");
        var account = await app.Service<IIdentityStore>().CreatePrincipalAsync(app.OrgId, PrincipalKind.ServiceAccount, "robot", null, Role.Standard, CancellationToken.None);
        var accountKeys = $"/api/v2/service_accounts/{account.Id}/application_keys";

        var bodies = new List<(HttpMethod Method, string Path, string Body)>();
        foreach (var sample in CredentialSamples.List)
        {
            var attributes = $$"""{"name":"n","tags":["env:prod"],"integration":{{sample.FullIntegration}}}""";
            bodies.Add((HttpMethod.Post, Connections, $$$"""{"data":{"type":"action_connection","attributes":{{{attributes}}}}}"""));
            bodies.Add((HttpMethod.Patch, $"{Connections}/{connectionId}", $$$"""{"data":{"type":"action_connection","attributes":{{{attributes}}}}}"""));
        }

        bodies.Add((HttpMethod.Post, KeyApiClient.ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"n","category":"c"}}}"""));
        bodies.Add((HttpMethod.Patch, $"{KeyApiClient.ApiKeysPath}/{apiKey.Id}", """{"data":{"type":"api_keys","id":""" + $"\"{apiKey.Id}\"" + ""","attributes":{"name":"n","category":"c"}}}"""));
        foreach (var collection in new[] { KeyApiClient.MyAppKeysPath, accountKeys })
        {
            bodies.Add((HttpMethod.Post, collection, """{"data":{"type":"application_keys","attributes":{"name":"n","scopes":["connections_read"]}}}"""));
        }

        bodies.Add((HttpMethod.Patch, $"{KeyApiClient.MyAppKeysPath}/{appKey.Id}", """{"data":{"type":"application_keys","id":""" + $"\"{appKey.Id}\"" + ""","attributes":{"name":"n","scopes":["connections_read"]}}}"""));

        var sent = 0;
        foreach (var (method, path, body) in bodies)
        {
            foreach (var (pointer, poisoned) in WithU0000InEachString(body))
            {
                var response = await app.Client.SendJsonAsync(method, path, poisoned);
                sent++;
                Assert.True(response.Status == 400, $"{method} {path} with U+0000 at {pointer}: {response}");

                // The envelope's type and id are compared, never stored; scopes must be known permission names.
                if (pointer is not ("/data/type" or "/data/id") && !pointer.StartsWith("/data/attributes/scopes/", StringComparison.Ordinal))
                {
                    Assert.True(response.Body.Contains("must not contain the character U+0000", StringComparison.Ordinal), $"{method} {path} with U+0000 at {pointer}: {response}");
                }
            }
        }

        Assert.True(sent > 150, $"only {sent} bodies were sent");
        Assert.Equal(1, (await app.Client.GetJsonAsync(Connections)).Json.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal("kept", (await app.Client.GetJsonAsync($"{Connections}/{connectionId}")).Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(2, (await app.Client.GetJsonAsync(KeyApiClient.ApiKeysPath)).Json.GetProperty("data").GetArrayLength());
        Assert.Equal(2, (await app.Client.GetJsonAsync(KeyApiClient.MyAppKeysPath)).Json.GetProperty("data").GetArrayLength());
        Assert.Equal(0, (await app.Client.GetJsonAsync(accountKeys)).Json.GetProperty("data").GetArrayLength());
    }

    /// <summary>The body once per string in it (member values and array items), that string ending in U+0000.</summary>
    private static IEnumerable<(string Pointer, string Body)> WithU0000InEachString(string body)
    {
        var pointers = new List<string>();
        Collect(JsonNode.Parse(body)!, string.Empty, pointers);
        foreach (var pointer in pointers)
        {
            var copy = JsonNode.Parse(body)!;
            var node = Resolve(copy, pointer);
            node.ReplaceWith(JsonValue.Create(node.GetValue<string>() + "\u0000"));
            yield return (pointer, copy.ToJsonString());
        }
    }

    private static void Collect(JsonNode node, string pointer, List<string> pointers)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Collect(child!, $"{pointer}/{name}", pointers);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Collect(array[i]!, $"{pointer}/{i}", pointers);
                }

                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                pointers.Add(pointer);
                break;
        }
    }

    private static JsonNode Resolve(JsonNode root, string pointer)
    {
        var node = root;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : node[segment]!;
        }

        return node;
    }
}
