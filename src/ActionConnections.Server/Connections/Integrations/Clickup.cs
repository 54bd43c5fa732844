using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>ClickupIntegration</c> (type <c>Clickup</c>).</summary>
internal sealed record ClickupIntegration : Integration<ClickupCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Clickup", [ClickupAPIKey.Variant], (_, c) => new ClickupIntegration { Credentials = (ClickupCredentials)c });

    internal override string Type => "Clickup";
}

/// <summary><c>ClickupCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ClickupAPIKey), "ClickupAPIKey")]
internal abstract record ClickupCredentials : Credentials;

/// <summary><c>ClickupAPIKey</c>.</summary>
internal sealed record ClickupAPIKey : ClickupCredentials
{
    internal static readonly CredentialVariant Variant = new("ClickupAPIKey", r => new ClickupAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "ClickupAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
