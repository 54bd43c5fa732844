using System.Text.Json.Serialization;

using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>GCPIntegration</c> (type <c>GCP</c>).</summary>
internal sealed record GcpIntegration : Integration<GcpCredentials>
{
    internal static readonly IntegrationVariant Variant = new("GCP", [GcpServiceAccount.Variant], (_, c) => new GcpIntegration { Credentials = (GcpCredentials)c });

    internal override string Type => "GCP";
}

/// <summary><c>GCPCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(GcpServiceAccount), "GCPServiceAccount")]
internal abstract record GcpCredentials : Credentials;

/// <summary><c>GCPServiceAccount</c>: the private key is secret; the account's email is echoed.</summary>
internal sealed record GcpServiceAccount : GcpCredentials
{
    internal static readonly CredentialVariant Variant = new("GCPServiceAccount", Read);

    internal override string Type => "GCPServiceAccount";

    /// <summary><c>private_key</c> (secret).</summary>
    [JsonPropertyName("private_key")]
    public required SecretString PrivateKey { get; init; }

    /// <summary><c>service_account_email</c>: email of the service account the key belongs to.</summary>
    [JsonPropertyName("service_account_email")]
    public required string ServiceAccountEmail { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => [new("private_key", PrivateKey)];

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        PrivateKey = update.OptionalSecret("private_key") ?? PrivateKey,
        ServiceAccountEmail = update.OptionalString("service_account_email") ?? ServiceAccountEmail,
    };

    private static GcpServiceAccount Read(JsonObjectReader reader) => new()
    {
        PrivateKey = reader.RequiredSecret("private_key"),
        ServiceAccountEmail = reader.RequiredString("service_account_email"),
    };
}
