using System.Text.Json.Serialization;

namespace ActionConnections.Errors;

/// <summary><c>JSONAPIErrorResponse</c> of the spec.</summary>
internal sealed record JsonApiErrorResponse([property: JsonPropertyName("errors")] IReadOnlyList<JsonApiErrorItem> Errors);

/// <summary><c>JSONAPIErrorItem</c>: every member optional; absent ones are not written.</summary>
internal sealed record JsonApiErrorItem
{
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    [JsonPropertyName("source")]
    public JsonApiErrorSource? Source { get; init; }
}

/// <summary><c>JSONAPIErrorItemSource</c>.</summary>
internal sealed record JsonApiErrorSource
{
    [JsonPropertyName("pointer")]
    public string? Pointer { get; init; }

    [JsonPropertyName("parameter")]
    public string? Parameter { get; init; }
}

/// <summary><c>APIErrorResponse</c> of the key management family.</summary>
internal sealed record StringErrorResponse([property: JsonPropertyName("errors")] IReadOnlyList<string> Errors);
