using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>GreyNoiseIntegration</c> (type <c>GreyNoise</c>).</summary>
internal sealed record GreyNoiseIntegration : Integration<GreyNoiseCredentials>
{
    internal static readonly IntegrationVariant Variant = new("GreyNoise", [GreyNoiseAPIKey.Variant], (_, c) => new GreyNoiseIntegration { Credentials = (GreyNoiseCredentials)c });

    internal override string Type => "GreyNoise";
}

/// <summary><c>GreyNoiseCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(GreyNoiseAPIKey), "GreyNoiseAPIKey")]
internal abstract record GreyNoiseCredentials : Credentials;

/// <summary><c>GreyNoiseAPIKey</c>.</summary>
internal sealed record GreyNoiseAPIKey : GreyNoiseCredentials
{
    internal static readonly CredentialVariant Variant = new("GreyNoiseAPIKey", r => new GreyNoiseAPIKey { ApiKey = r.RequiredSecret("api_key") });

    internal override string Type => "GreyNoiseAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
    };
}
