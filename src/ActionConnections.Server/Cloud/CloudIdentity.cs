using ActionConnections.Connections;
using ActionConnections.Connections.Integrations;
using ActionConnections.Secrets;

namespace ActionConnections.Cloud;

/// <summary>
/// What minting needs from a cloud connection, read from the stored record by
/// <see cref="CloudIdentities.From"/>: the one place that knows the AWS, Azure and GCP credential
/// fields, so the minters never depend on how integrations are modelled.
/// </summary>
internal abstract record CloudIdentity
{
    /// <summary><c>aws</c>, <c>azure</c> or <c>gcp</c>: the audit's and the logs' name of the provider.</summary>
    public abstract string Provider { get; }
}

/// <summary>An AWS role to assume with the connection's external id.</summary>
internal sealed record AwsRoleIdentity(string AccountId, string Role, string ExternalId) : CloudIdentity
{
    public override string Provider => "aws";
}

/// <summary>An Entra app registration's client credentials.</summary>
internal sealed record AzureAppIdentity(string TenantId, string ClientId, SecretString ClientSecret, string? CustomScopes) : CloudIdentity
{
    public override string Provider => "azure";
}

/// <summary>A GCP service account and its private key (PEM).</summary>
internal sealed record GcpServiceAccountIdentity(string Email, SecretString PrivateKey) : CloudIdentity
{
    public override string Provider => "gcp";
}

internal static class CloudIdentities
{
    /// <summary>
    /// The connection's cloud identity, its secrets decrypted through the one
    /// <see cref="ISecretProtector"/> seam into <see cref="SecretString"/>s; null for an
    /// integration that is not a cloud provider.
    /// </summary>
    public static CloudIdentity? From(ConnectionRecord connection, ISecretProtector protector) =>
        connection.Integration.AnyCredentials is FieldCredentials credentials
            ? credentials.Type switch
            {
                "AWSAssumeRole" => new AwsRoleIdentity(Required(credentials, "account_id"), Required(credentials, "role"), credentials.Text("external_id") ?? string.Empty),
                "AzureTenant" => new AzureAppIdentity(Required(credentials, "tenant_id"), Required(credentials, "app_client_id"), Reveal(connection, protector, "client_secret"), credentials.Text("custom_scopes")),
                "GCPServiceAccount" => new GcpServiceAccountIdentity(Required(credentials, "service_account_email"), Reveal(connection, protector, "private_key")),
                _ => null,
            }
            : null;

    /// <summary>A field the catalogue marks required, so every stored credential of the type has it.</summary>
    private static string Required(FieldCredentials credentials, string field) =>
        credentials.Text(field) ?? throw new InvalidOperationException($"Stored {credentials.Type} credentials lack their required field {field}.");

    private static SecretString Reveal(ConnectionRecord connection, ISecretProtector protector, string field) =>
        SecretString.FromPlaintext(protector.Unprotect(connection.SealedSecrets[field], new SecretContext(connection.OrgId, connection.Id, field)));
}
