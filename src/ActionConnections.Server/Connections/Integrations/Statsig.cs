using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>StatsigIntegration</c> (type <c>Statsig</c>).</summary>
internal sealed record StatsigIntegration : Integration<StatsigCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Statsig", [StatsigAPIKey.Variant], (_, c) => new StatsigIntegration { Credentials = (StatsigCredentials)c });

    internal override string Type => "Statsig";
}

/// <summary><c>StatsigCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(StatsigAPIKey), "StatsigAPIKey")]
internal abstract record StatsigCredentials : Credentials;

/// <summary><c>StatsigAPIKey</c>.</summary>
internal sealed record StatsigAPIKey : StatsigCredentials
{
    internal static readonly CredentialVariant Variant = new("StatsigAPIKey", r => new StatsigAPIKey { ApiKey = r.RequiredSecret("api_key") });

    internal override string Type => "StatsigAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
    };
}
