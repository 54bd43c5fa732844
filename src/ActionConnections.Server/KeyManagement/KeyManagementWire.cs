using System.Text.Json.Serialization;
using ActionConnections.Json;

namespace ActionConnections.KeyManagement;

// The wire contract of the key management operations (docs/reference/openapi-key-management.yaml). Members the
// spec marks nullable and the recordings write as null (scopes, last_used_at, date_last_used)
// are written as null; the secret `key` is omitted when not set.

/// <summary><c>RelationshipToUserData</c> of <c>RelationshipToUser</c>: <c>{"data":{"type":"users","id":…}}</c>.</summary>
internal sealed record UserRelationshipData
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "users";

    [JsonPropertyName("id")]
    public required Guid Id { get; init; }
}

/// <summary>
/// <c>leak_information</c>: not in the spec, but on every recorded key object as
/// <c>{"data":null}</c>. This service does no leak detection, so it is always empty.
/// </summary>
internal sealed record LeakInformation
{
    public static readonly LeakInformation None = new();

    [JsonPropertyName("data")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Data { get; init; }
}

/// <summary><c>FullAPIKey</c> (with <c>key</c>) and <c>PartialAPIKey</c> (without).</summary>
internal sealed record ApiKeyData
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = KeyTypes.ApiKeys;

    [JsonPropertyName("attributes")]
    public required ApiKeyAttributes Attributes { get; init; }

    [JsonPropertyName("relationships")]
    public required ApiKeyRelationships Relationships { get; init; }

    [JsonPropertyName("id")]
    public required Guid Id { get; init; }
}

/// <summary><c>FullAPIKeyAttributes</c> / <c>PartialAPIKeyAttributes</c>.</summary>
internal sealed record ApiKeyAttributes
{
    [JsonPropertyName("created_at")]
    public required string CreatedAt { get; init; }

    /// <summary>The secret; set only in the response that creates the key.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("last4")]
    public required string Last4 { get; init; }

    [JsonPropertyName("modified_at")]
    public required string ModifiedAt { get; init; }

    [JsonPropertyName("remote_config_read_enabled")]
    public required bool RemoteConfigReadEnabled { get; init; }

    [JsonPropertyName("category")]
    public required string Category { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Usage is not tracked, so always null.</summary>
    [JsonPropertyName("date_last_used")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? DateLastUsed { get; init; }
}

/// <summary><c>APIKeyRelationships</c> plus the recorded <c>leak_information</c>.</summary>
internal sealed record ApiKeyRelationships
{
    [JsonPropertyName("created_by")]
    public required JsonApiData<UserRelationshipData> CreatedBy { get; init; }

    [JsonPropertyName("modified_by")]
    public required JsonApiData<UserRelationshipData> ModifiedBy { get; init; }

    [JsonPropertyName("leak_information")]
    public LeakInformation LeakInformation { get; init; } = LeakInformation.None;
}

/// <summary><c>APIKeysResponseMeta</c> of <c>APIKeysResponse</c>.</summary>
internal sealed record ApiKeysMeta
{
    [JsonPropertyName("page")]
    public required KeyListPage Page { get; init; }

    [JsonPropertyName("max_allowed")]
    public required long MaxAllowed { get; init; }
}

/// <summary><c>APIKeysResponseMetaPage</c> / <c>ApplicationKeyResponseMetaPage</c>.</summary>
internal sealed record KeyListPage
{
    [JsonPropertyName("total_filtered_count")]
    public required long TotalFilteredCount { get; init; }
}

/// <summary><c>FullApplicationKey</c> (with <c>key</c>) and <c>PartialApplicationKey</c> (without).</summary>
internal sealed record AppKeyData
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = KeyTypes.ApplicationKeys;

    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    [JsonPropertyName("attributes")]
    public required AppKeyAttributes Attributes { get; init; }

    [JsonPropertyName("relationships")]
    public required AppKeyRelationships Relationships { get; init; }
}

/// <summary><c>FullApplicationKeyAttributes</c> / <c>PartialApplicationKeyAttributes</c>.</summary>
internal sealed record AppKeyAttributes
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("created_at")]
    public required string CreatedAt { get; init; }

    [JsonPropertyName("last4")]
    public required string Last4 { get; init; }

    /// <summary>The secret; set only in the response that creates the key.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    /// <summary>Null for an unscoped key (all of the owner's permissions).</summary>
    [JsonPropertyName("scopes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>Usage is not tracked, so always null.</summary>
    [JsonPropertyName("last_used_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? LastUsedAt { get; init; }
}

/// <summary><c>ApplicationKeyRelationships</c> plus the recorded <c>leak_information</c>.</summary>
internal sealed record AppKeyRelationships
{
    /// <summary>Absent where the recordings omit it (current-user list, service-account reads).</summary>
    [JsonPropertyName("owned_by")]
    public JsonApiData<UserRelationshipData>? OwnedBy { get; init; }

    [JsonPropertyName("leak_information")]
    public LeakInformation LeakInformation { get; init; } = LeakInformation.None;
}

/// <summary><c>ApplicationKeyResponseMeta</c> of <c>ListApplicationKeysResponse</c>.</summary>
internal sealed record AppKeysMeta
{
    [JsonPropertyName("page")]
    public required KeyListPage Page { get; init; }

    [JsonPropertyName("max_allowed_per_user")]
    public required long MaxAllowedPerUser { get; init; }
}

/// <summary>The JSON:API resource types (<c>APIKeysType</c>, <c>ApplicationKeysType</c>).</summary>
internal static class KeyTypes
{
    public const string ApiKeys = "api_keys";
    public const string ApplicationKeys = "application_keys";
}
