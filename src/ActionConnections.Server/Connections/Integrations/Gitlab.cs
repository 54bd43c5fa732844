using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>GitlabIntegration</c> (type <c>Gitlab</c>).</summary>
internal sealed record GitlabIntegration : Integration<GitlabCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Gitlab", [GitlabAPIKey.Variant], (_, c) => new GitlabIntegration { Credentials = (GitlabCredentials)c });

    internal override string Type => "Gitlab";
}

/// <summary><c>GitlabCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(GitlabAPIKey), "GitlabAPIKey")]
internal abstract record GitlabCredentials : Credentials;

/// <summary><c>GitlabAPIKey</c>.</summary>
internal sealed record GitlabAPIKey : GitlabCredentials
{
    internal static readonly CredentialVariant Variant = new("GitlabAPIKey", r => new GitlabAPIKey { ApiToken = r.RequiredSecret("api_token") });

    internal override string Type => "GitlabAPIKey";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
    };
}
