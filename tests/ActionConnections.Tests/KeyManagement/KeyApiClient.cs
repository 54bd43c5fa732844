using System.Text.Json;
using System.Text.RegularExpressions;

using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.KeyManagement;

/// <summary>Small steps the key management tests repeat, each a real HTTP call with a raw JSON body.</summary>
internal static partial class KeyApiClient
{
    public const string ApiKeysPath = "/api/v2/api_keys";
    public const string MyAppKeysPath = "/api/v2/current_user/application_keys";
    public const string OrgAppKeysPath = "/api/v2/application_keys";

    public static async Task<CreatedKey> CreateApiKeyAsync(this HttpClient client, string name)
    {
        var response = await client.SendJsonAsync(HttpMethod.Post, ApiKeysPath, Fill("""{"data":{"type":"api_keys","attributes":{"name":"{name}"}}}""", ("name", name)));
        Assert.Equal(201, response.Status);
        return CreatedKey.From(response);
    }

    /// <summary>Creates an application key at <paramref name="path"/>; <paramref name="scopesJson"/> is raw JSON (omitted when null).</summary>
    public static async Task<CreatedKey> CreateAppKeyAsync(this HttpClient client, string name, string? scopesJson = null, string path = MyAppKeysPath)
    {
        var body = scopesJson is null
            ? Fill("""{"data":{"type":"application_keys","attributes":{"name":"{name}"}}}""", ("name", name))
            : Fill("""{"data":{"type":"application_keys","attributes":{"name":"{name}","scopes":{scopes}}}}""", ("name", name), ("scopes", scopesJson));
        var response = await client.SendJsonAsync(HttpMethod.Post, path, body);
        Assert.Equal(201, response.Status);
        return CreatedKey.From(response);
    }

    /// <summary>PATCHes <paramref name="json"/> to <c>{collectionPath}/{id}</c>, with <c>{id}</c> in the body replaced by the id.</summary>
    public static Task<TestResponse> PatchKeyAsync(this HttpClient client, string collectionPath, Guid id, string json) =>
        client.SendJsonAsync(HttpMethod.Patch, $"{collectionPath}/{id}", Fill(json, ("id", id)));

    /// <summary>
    /// Replaces each <c>{name}</c> in a raw JSON template. Templates keep the JSON readable where an
    /// interpolated raw string would need runs of <c>$</c> and braces.
    /// </summary>
    public static string Fill(string template, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace($"{{{name}}}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return template;
    }

    public static void AssertTimestamp(JsonElement value) =>
        Assert.Matches(TimestampPattern(), value.GetString());

    /// <summary>The recorded shape: <c>2025-09-08T09:24:42.999350+00:00</c>.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$")]
    private static partial Regex TimestampPattern();
}

/// <summary>A key created over HTTP: its id, its secret and the whole 201 response.</summary>
internal sealed record CreatedKey(Guid Id, string Key, TestResponse Response)
{
    public static CreatedKey From(TestResponse response)
    {
        var data = response.Json.GetProperty("data");
        return new CreatedKey(data.GetProperty("id").GetGuid(), data.GetProperty("attributes").GetProperty("key").GetString()!, response);
    }

    public override string ToString() => $"CreatedKey {{ Id = {Id}, Key = [redacted] }}";
}
