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
        connection.Integration.AnyCredentials switch
        {
            AwsAssumeRole aws => new AwsRoleIdentity(aws.AccountId, aws.Role, aws.ExternalId ?? string.Empty),
            AzureTenant azure => new AzureAppIdentity(azure.TenantId, azure.AppClientId, Reveal(connection, protector, "client_secret"), azure.CustomScopes),
            GcpServiceAccount gcp => new GcpServiceAccountIdentity(gcp.ServiceAccountEmail, Reveal(connection, protector, "private_key")),
            _ => null,
        };

    private static SecretString Reveal(ConnectionRecord connection, ISecretProtector protector, string field) =>
        SecretString.FromPlaintext(protector.Unprotect(connection.SealedSecrets[field], new SecretContext(connection.OrgId, connection.Id, field)));
}
