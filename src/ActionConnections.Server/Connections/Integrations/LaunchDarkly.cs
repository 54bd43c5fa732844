using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>LaunchDarklyIntegration</c> (type <c>LaunchDarkly</c>).</summary>
internal sealed record LaunchDarklyIntegration : Integration<LaunchDarklyCredentials>
{
    internal static readonly IntegrationVariant Variant = new("LaunchDarkly", [LaunchDarklyAPIKey.Variant], (_, c) => new LaunchDarklyIntegration { Credentials = (LaunchDarklyCredentials)c });

    internal override string Type => "LaunchDarkly";
}

/// <summary><c>LaunchDarklyCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(LaunchDarklyAPIKey), "LaunchDarklyAPIKey")]
internal abstract record LaunchDarklyCredentials : Credentials;

/// <summary><c>LaunchDarklyAPIKey</c>.</summary>
internal sealed record LaunchDarklyAPIKey : LaunchDarklyCredentials
{
    internal static readonly CredentialVariant Variant = new("LaunchDarklyAPIKey", r => new LaunchDarklyAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "LaunchDarklyAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
