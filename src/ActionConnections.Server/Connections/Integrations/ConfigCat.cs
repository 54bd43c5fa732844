using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>ConfigCatIntegration</c> (type <c>ConfigCat</c>).</summary>
internal sealed record ConfigCatIntegration : Integration<ConfigCatCredentials>
{
    internal static readonly IntegrationVariant Variant = new("ConfigCat", [ConfigCatSDKKey.Variant], (_, c) => new ConfigCatIntegration { Credentials = (ConfigCatCredentials)c });

    internal override string Type => "ConfigCat";
}

/// <summary><c>ConfigCatCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ConfigCatSDKKey), "ConfigCatSDKKey")]
internal abstract record ConfigCatCredentials : Credentials;

/// <summary>
/// <c>ConfigCatSDKKey</c>: the SDK key plus Public Management API basic auth. The spec requires all
/// three; only the username is echoed.
/// </summary>
internal sealed record ConfigCatSDKKey : ConfigCatCredentials
{
    internal static readonly CredentialVariant Variant = new("ConfigCatSDKKey", Read);

    internal override string Type => "ConfigCatSDKKey";

    /// <summary><c>api_password</c> (secret).</summary>
    [JsonPropertyName("api_password")]
    public required SecretString ApiPassword { get; init; }

    /// <summary><c>api_username</c>: Public Management API basic auth username.</summary>
    [JsonPropertyName("api_username")]
    public required string ApiUsername { get; init; }

    /// <summary><c>sdk_key</c> (secret).</summary>
    [JsonPropertyName("sdk_key")]
    public required SecretString SdkKey { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_password", ApiPassword), new("sdk_key", SdkKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiPassword = update.OptionalSecret("api_password") ?? ApiPassword,
        ApiUsername = update.OptionalString("api_username") ?? ApiUsername,
        SdkKey = update.OptionalSecret("sdk_key") ?? SdkKey,
    };

    private static ConfigCatSDKKey Read(JsonObjectReader reader) => new()
    {
        ApiPassword = reader.RequiredSecret("api_password"),
        ApiUsername = reader.RequiredString("api_username"),
        SdkKey = reader.RequiredSecret("sdk_key"),
    };
}
