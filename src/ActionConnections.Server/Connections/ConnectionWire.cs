using System.Text.Json.Serialization;
using ActionConnections.Connections.Integrations;
using ActionConnections.Json;

namespace ActionConnections.Connections;

/// <summary>
/// <c>ActionConnectionData</c> of <c>CreateActionConnectionResponse</c>, <c>GetActionConnectionResponse</c>
/// and <c>UpdateActionConnectionResponse</c> (<see cref="JsonApiData{TData}"/>) and of the list
/// extension (<see cref="JsonApiList{TData, TMeta}"/>). Members are declared in the order the real
/// service writes them (attributes alphabetically); the undocumented members it sends today
/// (docs/reference/BEHAVIOR.md §4.2) are sent too, so clients see what they see from Datadog.
/// </summary>
internal sealed record ActionConnectionData
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("type")]
    public string Type { get; init; } = ConnectionRequests.DataType;

    [JsonPropertyName("attributes")]
    public required ActionConnectionAttributes Attributes { get; init; }

    [JsonPropertyName("relationships")]
    public ActionConnectionRelationships? Relationships { get; init; }
}

/// <summary><c>ActionConnectionAttributes</c>, plus the undocumented members of the real service.</summary>
internal sealed record ActionConnectionAttributes
{
    [JsonPropertyName("acting_user_can_resolve")]
    public required bool ActingUserCanResolve { get; init; }

    /// <summary>Go's <c>time.Time.String()</c> form, as the real service sends it.</summary>
    [JsonPropertyName("created_at")]
    public string? CreatedAt { get; init; }

    /// <summary>Always <c>null</c>: secrets are kept here, not in an external manager.</summary>
    [JsonPropertyName("external_secrets_manager")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? ExternalSecretsManager { get; init; }

    [JsonPropertyName("integration")]
    public required Integration Integration { get; init; }

    [JsonPropertyName("is_favorite")]
    public bool IsFavorite { get; init; }

    [JsonPropertyName("last_updated")]
    public string? LastUpdated { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary><c>tags</c>: sent only when the connection has tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyList<string>? Tags { get; init; }
}

internal sealed record ActionConnectionRelationships([property: JsonPropertyName("created_by")] JsonApiData<CreatedByData> CreatedBy);

internal sealed record CreatedByData(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type = "created_by");
