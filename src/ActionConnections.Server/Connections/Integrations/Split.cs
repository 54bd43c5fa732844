using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>SplitIntegration</c> (type <c>Split</c>).</summary>
internal sealed record SplitIntegration : Integration<SplitCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Split", [SplitAPIKey.Variant], (_, c) => new SplitIntegration { Credentials = (SplitCredentials)c });

    internal override string Type => "Split";
}

/// <summary><c>SplitCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SplitAPIKey), "SplitAPIKey")]
internal abstract record SplitCredentials : Credentials;

/// <summary><c>SplitAPIKey</c>.</summary>
internal sealed record SplitAPIKey : SplitCredentials
{
    internal static readonly CredentialVariant Variant = new("SplitAPIKey", r => new SplitAPIKey { ApiKey = r.RequiredSecret("api_key") });

    internal override string Type => "SplitAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
    };
}
