using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>NotionIntegration</c> (type <c>Notion</c>).</summary>
internal sealed record NotionIntegration : Integration<NotionCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Notion", [NotionAPIKey.Variant], (_, c) => new NotionIntegration { Credentials = (NotionCredentials)c });

    internal override string Type => "Notion";
}

/// <summary><c>NotionCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(NotionAPIKey), "NotionAPIKey")]
internal abstract record NotionCredentials : Credentials;

/// <summary><c>NotionAPIKey</c>.</summary>
internal sealed record NotionAPIKey : NotionCredentials
{
    internal static readonly CredentialVariant Variant = new("NotionAPIKey", r => new NotionAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "NotionAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
