using System.Text.Json.Serialization;

namespace ActionConnections.Audit;

internal sealed record AuditEventsMeta([property: JsonPropertyName("total_filtered")] long TotalFiltered);

internal sealed record AuditEventAttributes
{
    [JsonPropertyName("timestamp")]
    public required string Timestamp { get; init; }

    [JsonPropertyName("action")]
    public required string Action { get; init; }

    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    [JsonPropertyName("status")]
    public int? Status { get; init; }

    [JsonPropertyName("principal_id")]
    public string? PrincipalId { get; init; }

    [JsonPropertyName("api_key_id")]
    public string? ApiKeyId { get; init; }

    [JsonPropertyName("app_key_id")]
    public string? AppKeyId { get; init; }

    [JsonPropertyName("target_type")]
    public string? TargetType { get; init; }

    [JsonPropertyName("target_id")]
    public string? TargetId { get; init; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; init; }

    [JsonPropertyName("client_address")]
    public string? ClientAddress { get; init; }

    [JsonPropertyName("source")]
    public required string Source { get; init; }

    /// <summary>Authentication failures only: how many failures of one key and client address in one period this event stands for.</summary>
    [JsonPropertyName("count")]
    public long? Count { get; init; }

    /// <summary>Present on events whose target alone does not say what was done (<c>connection.http_request</c>).</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }
}
