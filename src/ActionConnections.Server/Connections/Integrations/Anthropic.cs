using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>AnthropicIntegration</c> (type <c>Anthropic</c>).</summary>
internal sealed record AnthropicIntegration : Integration<AnthropicCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Anthropic", [AnthropicAPIKey.Variant], (_, c) => new AnthropicIntegration { Credentials = (AnthropicCredentials)c });

    internal override string Type => "Anthropic";
}

/// <summary><c>AnthropicCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AnthropicAPIKey), "AnthropicAPIKey")]
internal abstract record AnthropicCredentials : Credentials;

/// <summary><c>AnthropicAPIKey</c>.</summary>
internal sealed record AnthropicAPIKey : AnthropicCredentials
{
    internal static readonly CredentialVariant Variant = new("AnthropicAPIKey", r => new AnthropicAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "AnthropicAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
