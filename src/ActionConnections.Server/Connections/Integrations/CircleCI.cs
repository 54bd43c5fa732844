using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>CircleCIIntegration</c> (type <c>CircleCI</c>).</summary>
internal sealed record CircleCIIntegration : Integration<CircleCICredentials>
{
    internal static readonly IntegrationVariant Variant = new("CircleCI", [CircleCIAPIKey.Variant], (_, c) => new CircleCIIntegration { Credentials = (CircleCICredentials)c });

    internal override string Type => "CircleCI";
}

/// <summary><c>CircleCICredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CircleCIAPIKey), "CircleCIAPIKey")]
internal abstract record CircleCICredentials : Credentials;

/// <summary><c>CircleCIAPIKey</c>.</summary>
internal sealed record CircleCIAPIKey : CircleCICredentials
{
    internal static readonly CredentialVariant Variant = new("CircleCIAPIKey", r => new CircleCIAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "CircleCIAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
