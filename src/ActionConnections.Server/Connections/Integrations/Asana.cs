using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>AsanaIntegration</c> (type <c>Asana</c>).</summary>
internal sealed record AsanaIntegration : Integration<AsanaCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Asana", [AsanaAccessToken.Variant], (_, c) => new AsanaIntegration { Credentials = (AsanaCredentials)c });

    internal override string Type => "Asana";
}

/// <summary><c>AsanaCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AsanaAccessToken), "AsanaAccessToken")]
internal abstract record AsanaCredentials : Credentials;

/// <summary><c>AsanaAccessToken</c>.</summary>
internal sealed record AsanaAccessToken : AsanaCredentials
{
    internal static readonly CredentialVariant Variant = new("AsanaAccessToken", r => new AsanaAccessToken { AccessToken = r.RequiredSecret("access_token") });

    internal override string Type => "AsanaAccessToken";

    /// <summary><c>access_token</c> (secret).</summary>
    [JsonPropertyName("access_token")]
    public required SecretString AccessToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("access_token", AccessToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        AccessToken = update.OptionalSecret("access_token") ?? AccessToken,
    };
}
