using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>ServiceNowIntegration</c> (type <c>ServiceNow</c>).</summary>
internal sealed record ServiceNowIntegration : Integration<ServiceNowCredentials>
{
    internal static readonly IntegrationVariant Variant = new("ServiceNow", [ServiceNowBasicAuth.Variant], (_, c) => new ServiceNowIntegration { Credentials = (ServiceNowCredentials)c });

    internal override string Type => "ServiceNow";
}

/// <summary><c>ServiceNowCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ServiceNowBasicAuth), "ServiceNowBasicAuth")]
internal abstract record ServiceNowCredentials : Credentials;

/// <summary>
/// <c>ServiceNowBasicAuth</c>: only the password is secret; instance and username are echoed.
/// </summary>
internal sealed record ServiceNowBasicAuth : ServiceNowCredentials
{
    internal static readonly CredentialVariant Variant = new("ServiceNowBasicAuth", Read);

    internal override string Type => "ServiceNowBasicAuth";

    /// <summary><c>instance</c>: instance name, e.g. <c>example-instance</c>.</summary>
    [JsonPropertyName("instance")]
    public required string Instance { get; init; }

    /// <summary><c>password</c> (secret).</summary>
    [JsonPropertyName("password")]
    public required SecretString Password { get; init; }

    /// <summary><c>username</c>: basic auth user.</summary>
    [JsonPropertyName("username")]
    public required string Username { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("password", Password)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        Instance = update.OptionalString("instance") ?? Instance,
        Password = update.OptionalSecret("password") ?? Password,
        Username = update.OptionalString("username") ?? Username,
    };

    private static ServiceNowBasicAuth Read(JsonObjectReader reader) => new()
    {
        Instance = reader.RequiredString("instance"),
        Password = reader.RequiredSecret("password"),
        Username = reader.RequiredString("username"),
    };
}
