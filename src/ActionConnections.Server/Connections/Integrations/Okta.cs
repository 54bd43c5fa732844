using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>OktaIntegration</c> (type <c>Okta</c>).</summary>
internal sealed record OktaIntegration : Integration<OktaCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Okta", [OktaAPIToken.Variant], (_, c) => new OktaIntegration { Credentials = (OktaCredentials)c });

    internal override string Type => "Okta";
}

/// <summary><c>OktaCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(OktaAPIToken), "OktaAPIToken")]
internal abstract record OktaCredentials : Credentials;

/// <summary><c>OktaAPIToken</c>: the token is secret; the org domain is echoed.</summary>
internal sealed record OktaAPIToken : OktaCredentials
{
    internal static readonly CredentialVariant Variant = new("OktaAPIToken", Read);

    internal override string Type => "OktaAPIToken";

    /// <summary><c>api_token</c> (secret).</summary>
    [JsonPropertyName("api_token")]
    public required SecretString ApiToken { get; init; }

    /// <summary><c>domain</c>: Okta org domain, e.g. <c>example.okta.com</c>.</summary>
    [JsonPropertyName("domain")]
    public required string Domain { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_token", ApiToken)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiToken = update.OptionalSecret("api_token") ?? ApiToken,
        Domain = update.OptionalString("domain") ?? Domain,
    };

    private static OktaAPIToken Read(JsonObjectReader reader) => new()
    {
        ApiToken = reader.RequiredSecret("api_token"),
        Domain = reader.RequiredString("domain"),
    };
}
