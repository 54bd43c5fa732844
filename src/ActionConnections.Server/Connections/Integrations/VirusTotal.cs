using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>VirusTotalIntegration</c> (type <c>VirusTotal</c>).</summary>
internal sealed record VirusTotalIntegration : Integration<VirusTotalCredentials>
{
    internal static readonly IntegrationVariant Variant = new("VirusTotal", [VirusTotalAPIKey.Variant], (_, c) => new VirusTotalIntegration { Credentials = (VirusTotalCredentials)c });

    internal override string Type => "VirusTotal";
}

/// <summary><c>VirusTotalCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(VirusTotalAPIKey), "VirusTotalAPIKey")]
internal abstract record VirusTotalCredentials : Credentials;

/// <summary><c>VirusTotalAPIKey</c>.</summary>
internal sealed record VirusTotalAPIKey : VirusTotalCredentials
{
    internal static readonly CredentialVariant Variant = new("VirusTotalAPIKey", r => new VirusTotalAPIKey { ApiKey = r.RequiredSecret("api_key") });

    internal override string Type => "VirusTotalAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
    };
}
