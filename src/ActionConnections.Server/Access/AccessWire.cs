using System.Text.Json.Serialization;
using ActionConnections.Json;

namespace ActionConnections.Access;

/// <summary><c>RestrictionPolicy</c>: <c>type</c>, <c>id</c> (the path's <c>resource_id</c>), <c>attributes</c>.</summary>
internal sealed record RestrictionPolicyData(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("attributes")] RestrictionPolicyAttributes Attributes);

internal sealed record RestrictionPolicyAttributes([property: JsonPropertyName("bindings")] IReadOnlyList<RestrictionPolicyBinding> Bindings);

/// <summary><c>RestrictionPolicyBinding</c>, written relation first as the real service does.</summary>
internal sealed record RestrictionPolicyBinding(
    [property: JsonPropertyName("relation")] string Relation,
    [property: JsonPropertyName("principals")] IReadOnlyList<string> Principals);

/// <summary>
/// <c>RoleAttributes</c> of a <c>Role</c>, which has no <c>relationships</c> here (permission ids are
/// Datadog's own; see docs/COMPATIBILITY.md). <c>RoleAttributes</c> plus <c>managed</c> and <c>team_count</c>, as the 2025 recordings show.</summary>
internal sealed record RoleAttributes(
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("managed")] bool Managed,
    [property: JsonPropertyName("modified_at")] string ModifiedAt,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("team_count")] long TeamCount,
    [property: JsonPropertyName("user_count")] long UserCount);

/// <summary>A <c>User</c> of <c>UsersResponse</c> (no <c>included</c>: the operation's <c>include</c> is not offered).</summary>
internal sealed record UserData(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("attributes")] UserAttributes Attributes,
    [property: JsonPropertyName("relationships")] UserRelationships Relationships);

/// <summary><c>UserAttributes</c> in the order and with the members of the recordings.</summary>
internal sealed record UserAttributes
{
    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Name { get; init; }

    [JsonPropertyName("handle")]
    public required string Handle { get; init; }

    [JsonPropertyName("created_at")]
    public required string CreatedAt { get; init; }

    [JsonPropertyName("modified_at")]
    public required string ModifiedAt { get; init; }

    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("title")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Title { get; init; }

    [JsonPropertyName("verified")]
    public required bool Verified { get; init; }

    [JsonPropertyName("service_account")]
    public required bool ServiceAccount { get; init; }

    [JsonPropertyName("disabled")]
    public required bool Disabled { get; init; }

    [JsonPropertyName("allowed_login_methods")]
    public IReadOnlyList<string> AllowedLoginMethods { get; init; } = [];

    [JsonPropertyName("status")]
    public required string Status { get; init; }
}

internal sealed record UserRelationships(
    [property: JsonPropertyName("roles")] RelationshipList Roles,
    [property: JsonPropertyName("org")] JsonApiData<RelationshipData> Org);

internal sealed record RelationshipList([property: JsonPropertyName("data")] IReadOnlyList<RelationshipData> Data);

internal sealed record RelationshipData(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id);

/// <summary><c>ResponseMetaAttributes</c>: <c>{"page":{"total_count","total_filtered_count"}}</c>.</summary>
internal sealed record PageMeta([property: JsonPropertyName("page")] PageCounts Page);

internal sealed record PageCounts(
    [property: JsonPropertyName("total_count")] long TotalCount,
    [property: JsonPropertyName("total_filtered_count")] long TotalFilteredCount);
