using System.Text.Json.Serialization;
using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>OpenAIIntegration</c> (type <c>OpenAI</c>).</summary>
internal sealed record OpenAIIntegration : Integration<OpenAICredentials>
{
    internal static readonly IntegrationVariant Variant = new("OpenAI", [OpenAIAPIKey.Variant], (_, c) => new OpenAIIntegration { Credentials = (OpenAICredentials)c });

    internal override string Type => "OpenAI";
}

/// <summary><c>OpenAICredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(OpenAIAPIKey), "OpenAIAPIKey")]
internal abstract record OpenAICredentials : Credentials;

/// <summary><c>OpenAIAPIKey</c>.</summary>
internal sealed record OpenAIAPIKey : OpenAICredentials
{
    internal static readonly CredentialVariant Variant = new("OpenAIAPIKey", r => new OpenAIAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "OpenAIAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
