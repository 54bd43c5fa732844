using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>AzureIntegration</c> (type <c>Azure</c>).</summary>
internal sealed record AzureIntegration : Integration<AzureCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Azure", [AzureTenant.Variant], (_, c) => new AzureIntegration { Credentials = (AzureCredentials)c });

    internal override string Type => "Azure";
}

/// <summary><c>AzureCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AzureTenant), "AzureTenant")]
internal abstract record AzureCredentials : Credentials;

/// <summary>
/// <c>AzureTenant</c>: an app registration's client credentials. Only <c>client_secret</c> is
/// secret; the IDs and the scope are configuration and are echoed.
/// </summary>
internal sealed record AzureTenant : AzureCredentials
{
    internal static readonly CredentialVariant Variant = new("AzureTenant", Read);

    internal override string Type => "AzureTenant";

    /// <summary><c>app_client_id</c>: application (client) ID of the app registration.</summary>
    [JsonPropertyName("app_client_id")]
    public required string AppClientId { get; init; }

    /// <summary><c>client_secret</c> (secret).</summary>
    [JsonPropertyName("client_secret")]
    public required SecretString ClientSecret { get; init; }

    /// <summary>
    /// <c>custom_scopes</c> (optional): OAuth 2 scope to request instead of the default; only the
    /// HTTP action uses it.
    /// </summary>
    [JsonPropertyName("custom_scopes")]
    public string? CustomScopes { get; init; }

    /// <summary>
    /// <c>tenant_id</c>: directory (tenant) ID. Not checked to be a GUID: the real service accepted
    /// <c>azure-tenant-id</c>.
    /// </summary>
    [JsonPropertyName("tenant_id")]
    public required string TenantId { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("client_secret", ClientSecret)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        AppClientId = update.OptionalString("app_client_id") ?? AppClientId,
        ClientSecret = update.OptionalSecret("client_secret") ?? ClientSecret,
        CustomScopes = update.OptionalString("custom_scopes") ?? CustomScopes,
        TenantId = update.OptionalString("tenant_id") ?? TenantId,
    };

    private static AzureTenant Read(JsonObjectReader reader) => new()
    {
        AppClientId = reader.RequiredString("app_client_id"),
        ClientSecret = reader.RequiredSecret("client_secret"),
        CustomScopes = reader.OptionalString("custom_scopes"),
        TenantId = reader.RequiredString("tenant_id"),
    };
}
