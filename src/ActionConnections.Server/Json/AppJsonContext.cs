using System.Text.Json;
using System.Text.Json.Serialization;
using ActionConnections.Connections.Integrations;
using ActionConnections.Errors;

namespace ActionConnections.Json;

/// <summary>
/// The one source-generated serializer context of the service (used through
/// <see cref="AppJson"/>), used by the API, the CLI, storage and tests. Every
/// type that crosses a wire or is stored as JSON is listed here, grouped by feature.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    WriteIndented = false,
    MaxDepth = 64)]
// Errors
[JsonSerializable(typeof(JsonApiErrorResponse))]
[JsonSerializable(typeof(StringErrorResponse))]
// Identity
[JsonSerializable(typeof(List<string>))]
// App key registrations
[JsonSerializable(typeof(AppKeyRegistrationResponse), TypeInfoPropertyName = "AppKeyRegistrationResponse")]
[JsonSerializable(typeof(ListAppKeyRegistrationsResponse), TypeInfoPropertyName = "ListAppKeyRegistrationsResponse")]
// Connections
[JsonSerializable(typeof(ActionConnectionResponse), TypeInfoPropertyName = "ActionConnectionResponse")]
[JsonSerializable(typeof(ListActionConnectionsResponse), TypeInfoPropertyName = "ListActionConnectionsResponse")]
[JsonSerializable(typeof(Integration))]
[JsonSerializable(typeof(Dictionary<string, string>))]
// Cloud credentials
[JsonSerializable(typeof(CloudCredentialsResponse), TypeInfoPropertyName = "CloudCredentialsResponse")]
// Connection use (http_requests extension)
[JsonSerializable(typeof(HttpRequests.HttpResponseEnvelope))]
// Access
[JsonSerializable(typeof(RestrictionPolicyResponse), TypeInfoPropertyName = "RestrictionPolicyResponse")]
[JsonSerializable(typeof(Access.RestrictionPolicyAttributes))]
[JsonSerializable(typeof(RolesResponse), TypeInfoPropertyName = "RolesResponse")]
[JsonSerializable(typeof(UsersResponse), TypeInfoPropertyName = "UsersResponse")]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
// Key management
[JsonSerializable(typeof(ApiKeyResponse), TypeInfoPropertyName = "ApiKeyResponse")]
[JsonSerializable(typeof(ApiKeysResponse), TypeInfoPropertyName = "ApiKeysResponse")]
[JsonSerializable(typeof(AppKeyResponse), TypeInfoPropertyName = "AppKeyResponse")]
[JsonSerializable(typeof(AppKeysResponse), TypeInfoPropertyName = "AppKeysResponse")]
// Audit
[JsonSerializable(typeof(AuditEventsResponse), TypeInfoPropertyName = "AuditEventsResponse")]
[JsonSerializable(typeof(List<AuditEventData>), TypeInfoPropertyName = "ListAuditEventData")]
// CLI
[JsonSerializable(typeof(Cli.OrgCreatedOutput))]
[JsonSerializable(typeof(List<Cli.OrgOutput>))]
[JsonSerializable(typeof(Cli.UserOutput))]
[JsonSerializable(typeof(List<Cli.UserOutput>))]
[JsonSerializable(typeof(Cli.ApiKeyOutput))]
[JsonSerializable(typeof(List<Cli.ApiKeyOutput>))]
[JsonSerializable(typeof(Cli.AppKeyOutput))]
[JsonSerializable(typeof(List<Cli.AppKeyOutput>))]
[JsonSerializable(typeof(Recovery.BackupManifest))]
[JsonSerializable(typeof(Recovery.VerifyReport))]
internal sealed partial class AppJsonContext : JsonSerializerContext;

/// <summary>
/// The options instance everything uses: the generated context plus the relaxed encoder, so
/// quotes in error details are written as <c>\"</c> as Datadog writes them, not <c>\u0022</c>.
/// </summary>
internal static class AppJson
{
    public static readonly JsonSerializerOptions Options = new(AppJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Type metadata bound to <see cref="Options"/>.</summary>
    public static readonly AppJsonContext Context = new(Options);
}
