using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>GeminiIntegration</c> (type <c>Gemini</c>).</summary>
internal sealed record GeminiIntegration : Integration<GeminiCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Gemini", [GeminiAPIKey.Variant], (_, c) => new GeminiIntegration { Credentials = (GeminiCredentials)c });

    internal override string Type => "Gemini";
}

/// <summary><c>GeminiCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(GeminiAPIKey), "GeminiAPIKey")]
internal abstract record GeminiCredentials : Credentials;

/// <summary><c>GeminiAPIKey</c>.</summary>
internal sealed record GeminiAPIKey : GeminiCredentials
{
    internal static readonly CredentialVariant Variant = new("GeminiAPIKey", r => new GeminiAPIKey { ApiKey = r.RequiredSecret("api_key") });

    internal override string Type => "GeminiAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
    };
}
