using System.Text.Json.Serialization;

namespace ActionConnections.HttpRequests;

/// <summary>The answer of the http_requests extension: what the upstream answered, secrets masked.</summary>
internal sealed record HttpResponseEnvelope([property: JsonPropertyName("data")] HttpResponseData Data);

internal sealed record HttpResponseData
{
    /// <summary>Id of this execution (also in its audit event's request).</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = "http_response";

    [JsonPropertyName("attributes")]
    public required HttpResponseAttributes Attributes { get; init; }
}

internal sealed record HttpResponseAttributes
{
    /// <summary>The upstream's status code, whatever it is (the action ran).</summary>
    [JsonPropertyName("status")]
    public required int Status { get; init; }

    [JsonPropertyName("headers")]
    public required IReadOnlyList<HttpHeaderPair> Headers { get; init; }

    [JsonPropertyName("body")]
    public required HttpResponseBody Body { get; init; }

    /// <summary>True when the body was longer than <c>ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES</c> and was cut there.</summary>
    [JsonPropertyName("truncated")]
    public required bool Truncated { get; init; }

    [JsonPropertyName("duration_ms")]
    public required double DurationMs { get; init; }
}

internal sealed record HttpHeaderPair([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

internal sealed record HttpResponseBody
{
    [JsonPropertyName("content_type")]
    public string? ContentType { get; init; }

    [JsonPropertyName("content")]
    public required string Content { get; init; }

    /// <summary><c>utf-8</c> when the bytes are valid UTF-8, else <c>base64</c>.</summary>
    [JsonPropertyName("encoding")]
    public required string Encoding { get; init; }
}
