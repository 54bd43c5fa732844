using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>FastlyIntegration</c> (type <c>Fastly</c>).</summary>
internal sealed record FastlyIntegration : Integration<FastlyCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Fastly", [FastlyAPIKey.Variant], (_, c) => new FastlyIntegration { Credentials = (FastlyCredentials)c });

    internal override string Type => "Fastly";
}

/// <summary><c>FastlyCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(FastlyAPIKey), "FastlyAPIKey")]
internal abstract record FastlyCredentials : Credentials;

/// <summary><c>FastlyAPIKey</c>.</summary>
internal sealed record FastlyAPIKey : FastlyCredentials
{
    internal static readonly CredentialVariant Variant = new("FastlyAPIKey", r => new FastlyAPIKey { ApiKey = r.RequiredSecret("api_key") });

    internal override string Type => "FastlyAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
    };
}
