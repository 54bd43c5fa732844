using System.Text.Json;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>Bodies and calls of the http_requests extension, as raw JSON.</summary>
internal static class HttpRequestBodies
{
    public static string Path(string connectionId) => $"/api/v2/actionconnections/connections/{connectionId}/http_requests";

    /// <summary>An <c>http_request</c> body; <paramref name="extraAttributes"/> is raw JSON members appended to the attributes.</summary>
    public static string Request(string method, string url, string? extraAttributes = null) =>
        """{"data":{"type":"http_request","attributes":{"method":""" + JsonSerializer.Serialize(method) + ""","url":""" + JsonSerializer.Serialize(url)
        + (extraAttributes is null ? string.Empty : "," + extraAttributes) + "}}}";

    public static Task<TestResponse> SendThroughAsync(this HttpClient client, string connectionId, string body) =>
        client.SendJsonAsync(HttpMethod.Post, Path(connectionId), body);

    /// <summary>Settings that let the server reach fakes on loopback: 127.0.0.1 allowed, API bases pointed at <paramref name="upstream"/>.</summary>
    public static Dictionary<string, string?> Settings(FakeUpstream? upstream, params string[] integrationTypes) => new()
    {
        ["ActionConnections:EgressAllow"] = "127.0.0.1",
        ["ActionConnections:IntegrationApiBases"] = upstream is null ? null : string.Join(",", integrationTypes.Select(t => $"{t}={upstream.BaseAddress.ToString().TrimEnd('/')}/base")),
    };
}
