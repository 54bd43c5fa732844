using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>FreshserviceIntegration</c> (type <c>Freshservice</c>).</summary>
internal sealed record FreshserviceIntegration : Integration<FreshserviceCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Freshservice", [FreshserviceAPIKey.Variant], (_, c) => new FreshserviceIntegration { Credentials = (FreshserviceCredentials)c });

    internal override string Type => "Freshservice";
}

/// <summary><c>FreshserviceCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(FreshserviceAPIKey), "FreshserviceAPIKey")]
internal abstract record FreshserviceCredentials : Credentials;

/// <summary><c>FreshserviceAPIKey</c>: the key is secret; the helpdesk domain is echoed.</summary>
internal sealed record FreshserviceAPIKey : FreshserviceCredentials
{
    internal static readonly CredentialVariant Variant = new("FreshserviceAPIKey", Read);

    internal override string Type => "FreshserviceAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    /// <summary><c>domain</c>: helpdesk domain, e.g. <c>example.freshservice.com</c>.</summary>
    [JsonPropertyName("domain")]
    public required string Domain { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
        Domain = update.OptionalString("domain") ?? Domain,
    };

    private static FreshserviceAPIKey Read(JsonObjectReader reader) => new()
    {
        ApiKey = reader.RequiredSecret("api_key"),
        Domain = reader.RequiredString("domain"),
    };
}
