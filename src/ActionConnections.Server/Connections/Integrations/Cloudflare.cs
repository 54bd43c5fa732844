using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>CloudflareIntegration</c> (type <c>Cloudflare</c>).</summary>
internal sealed record CloudflareIntegration : Integration<CloudflareCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Cloudflare", [CloudflareAPIToken.Variant, CloudflareGlobalAPIToken.Variant], (_, c) => new CloudflareIntegration { Credentials = (CloudflareCredentials)c });

    internal override string Type => "Cloudflare";
}

/// <summary><c>CloudflareCredentials</c>: a scoped API token or the account's global API key.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CloudflareAPIToken), "CloudflareAPIToken")]
[JsonDerivedType(typeof(CloudflareGlobalAPIToken), "CloudflareGlobalAPIToken")]
internal abstract record CloudflareCredentials : Credentials;

/// <summary><c>CloudflareAPIToken</c>.</summary>
internal sealed record CloudflareAPIToken : CloudflareCredentials
{
    internal static readonly CredentialVariant Variant = new("CloudflareAPIToken", r => new CloudflareAPIToken { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "CloudflareAPIToken";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}

/// <summary>
/// <c>CloudflareGlobalAPIToken</c>: the global key authenticates together with the account's email,
/// which is echoed.
/// </summary>
internal sealed record CloudflareGlobalAPIToken : CloudflareCredentials
{
    internal static readonly CredentialVariant Variant = new("CloudflareGlobalAPIToken", Read);

    internal override string Type => "CloudflareGlobalAPIToken";

    /// <summary><c>auth_email</c>: email of the Cloudflare account the global key belongs to.</summary>
    [JsonPropertyName("auth_email")]
    public required string AuthEmail { get; init; }

    /// <summary><c>global_api_key</c> (secret).</summary>
    [JsonPropertyName("global_api_key")]
    public required SecretString GlobalApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("global_api_key", GlobalApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        AuthEmail = update.OptionalString("auth_email") ?? AuthEmail,
        GlobalApiKey = update.OptionalSecret("global_api_key") ?? GlobalApiKey,
    };

    private static CloudflareGlobalAPIToken Read(JsonObjectReader reader) => new()
    {
        AuthEmail = reader.RequiredString("auth_email"),
        GlobalApiKey = reader.RequiredSecret("global_api_key"),
    };
}
