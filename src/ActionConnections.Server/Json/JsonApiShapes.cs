// The wire contracts keep the names of the published specs' schemas; these are the generic
// JSON:API shapes below, named once here for every file.
global using ActionConnectionResponse = ActionConnections.Json.JsonApiData<ActionConnections.Connections.ActionConnectionData>;
global using ApiKeyResponse = ActionConnections.Json.JsonApiData<ActionConnections.KeyManagement.ApiKeyData>;
global using ApiKeysResponse = ActionConnections.Json.JsonApiList<ActionConnections.KeyManagement.ApiKeyData, ActionConnections.KeyManagement.ApiKeysMeta>;
global using AppKeyRegistrationResponse = ActionConnections.Json.JsonApiData<ActionConnections.AppKeyRegistrations.AppKeyRegistrationData>;
global using AppKeyResponse = ActionConnections.Json.JsonApiData<ActionConnections.KeyManagement.AppKeyData>;
global using AppKeysResponse = ActionConnections.Json.JsonApiList<ActionConnections.KeyManagement.AppKeyData, ActionConnections.KeyManagement.AppKeysMeta>;
global using AuditEventData = ActionConnections.Json.JsonApiResource<ActionConnections.Audit.AuditEventAttributes>;
global using AuditEventsResponse = ActionConnections.Json.JsonApiList<ActionConnections.Json.JsonApiResource<ActionConnections.Audit.AuditEventAttributes>, ActionConnections.Audit.AuditEventsMeta>;
global using CloudCredentialsData = ActionConnections.Json.JsonApiResource<ActionConnections.Cloud.CloudCredentialsAttributes>;
global using CloudCredentialsResponse = ActionConnections.Json.JsonApiData<ActionConnections.Json.JsonApiResource<ActionConnections.Cloud.CloudCredentialsAttributes>>;
global using ListActionConnectionsResponse = ActionConnections.Json.JsonApiList<ActionConnections.Connections.ActionConnectionData, ActionConnections.Json.ListTotals>;
global using ListAppKeyRegistrationsResponse = ActionConnections.Json.JsonApiList<ActionConnections.AppKeyRegistrations.AppKeyRegistrationData, ActionConnections.Json.ListTotals>;
global using RestrictionPolicyResponse = ActionConnections.Json.JsonApiData<ActionConnections.Access.RestrictionPolicyData>;
global using RoleData = ActionConnections.Json.JsonApiResource<ActionConnections.Access.RoleAttributes>;
global using RolesResponse = ActionConnections.Json.JsonApiList<ActionConnections.Json.JsonApiResource<ActionConnections.Access.RoleAttributes>, ActionConnections.Access.PageMeta>;
global using UsersResponse = ActionConnections.Json.JsonApiList<ActionConnections.Access.UserData, ActionConnections.Access.PageMeta>;

using System.Text.Json.Serialization;

namespace ActionConnections.Json;

/// <summary>
/// <c>{"data":…}</c>: a JSON:API document of one resource, and a relationship to one resource
/// (<c>{"data":{"type","id"}}</c>), in every API family.
/// </summary>
internal sealed record JsonApiData<TData>([property: JsonPropertyName("data")] TData Data);

/// <summary><c>{"data":[…],"meta":…}</c>: a page of resources and what the family counts about it.</summary>
internal sealed record JsonApiList<TData, TMeta>(
    [property: JsonPropertyName("data")] IReadOnlyList<TData> Data,
    [property: JsonPropertyName("meta")] TMeta Meta);

/// <summary>
/// <c>{"id","type","attributes"}</c>, in that order: a resource without relationships (an audit
/// event, minted credentials, a role). Resources written in another order keep their own record.
/// </summary>
internal sealed record JsonApiResource<TAttributes>
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("attributes")]
    public required TAttributes Attributes { get; init; }
}

/// <summary>The list extensions' <c>meta</c> (connections, app key registrations): <c>{"total","total_filtered"}</c>.</summary>
internal sealed record ListTotals(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("total_filtered")] long TotalFiltered);
