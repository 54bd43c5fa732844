using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>DatadogIntegration</c> (type <c>Datadog</c>).</summary>
internal sealed record DatadogIntegration : Integration<DatadogCredentials>
{
    internal static readonly IntegrationVariant Variant = new("Datadog", [DatadogAPIKey.Variant], (_, c) => new DatadogIntegration { Credentials = (DatadogCredentials)c });

    internal override string Type => "Datadog";
}

/// <summary><c>DatadogCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(DatadogAPIKey), "DatadogAPIKey")]
internal abstract record DatadogCredentials : Credentials;

/// <summary>
/// <c>DatadogAPIKey</c>: an API key and application key pair for a Datadog site; both keys are
/// secret.
/// </summary>
internal sealed record DatadogAPIKey : DatadogCredentials
{
    internal static readonly CredentialVariant Variant = new("DatadogAPIKey", Read);

    internal override string Type => "DatadogAPIKey";

    /// <summary><c>api_key</c> (secret).</summary>
    [JsonPropertyName("api_key")]
    public required SecretString ApiKey { get; init; }

    /// <summary><c>app_key</c> (secret).</summary>
    [JsonPropertyName("app_key")]
    public required SecretString AppKey { get; init; }

    /// <summary>
    /// <c>datacenter</c>: the site, e.g. <c>us1.datadoghq.com</c>. Free text: the spec has no enum
    /// and the real service accepted that value.
    /// </summary>
    [JsonPropertyName("datacenter")]
    public required string Datacenter { get; init; }

    /// <summary><c>subdomain</c> (optional): custom subdomain of the organisation, if it has one.</summary>
    [JsonPropertyName("subdomain")]
    public string? Subdomain { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("api_key", ApiKey), new("app_key", AppKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        ApiKey = update.OptionalSecret("api_key") ?? ApiKey,
        AppKey = update.OptionalSecret("app_key") ?? AppKey,
        Datacenter = update.OptionalString("datacenter") ?? Datacenter,
        Subdomain = update.OptionalString("subdomain") ?? Subdomain,
    };

    private static DatadogAPIKey Read(JsonObjectReader reader) => new()
    {
        ApiKey = reader.RequiredSecret("api_key"),
        AppKey = reader.RequiredSecret("app_key"),
        Datacenter = reader.RequiredString("datacenter"),
        Subdomain = reader.OptionalString("subdomain"),
    };
}
