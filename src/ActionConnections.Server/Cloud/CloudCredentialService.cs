using ActionConnections.Connections;
using ActionConnections.Secrets;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cloud;

/// <summary>
/// Mints a short-lived credential from a cloud connection of one organisation: reuses a cached
/// one when it is fresh, else asks the provider within <c>ACTIONCONNECTIONS_CLOUD_TIMEOUT_SECONDS</c>.
/// Nothing minted is stored or logged.
/// </summary>
internal sealed partial class CloudCredentialService(
    IConnectionStore store,
    ISecretProtector protector,
    AwsRoleMinter aws,
    AzureTokenMinter azure,
    GcpTokenMinter gcp,
    CredentialCache cache,
    IOptions<CloudOptions> options,
    ILogger<CloudCredentialService> logger)
{
    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(options.Value.CloudTimeoutSeconds);

    public async Task<CredentialsOutcome> MintAsync(Guid orgId, Guid connectionId, MintRequest request, CancellationToken cancellationToken)
    {
        var connection = await store.FindAsync(orgId, connectionId, cancellationToken);
        return connection is null ? new CredentialsOutcome.NotFound() : await MintAsync(connection, request, cancellationToken);
    }

    /// <summary>Mints from a connection already read in the caller's organisation (the use endpoints).</summary>
    public async Task<CredentialsOutcome> MintAsync(ConnectionRecord connection, MintRequest request, CancellationToken cancellationToken)
    {
        var (orgId, connectionId) = (connection.OrgId, connection.Id);
        var identity = CloudIdentities.From(connection, protector);
        if (identity is null)
        {
            return new CredentialsOutcome.NotCloud(connection.Integration.Type);
        }

        var scopes = identity switch
        {
            AzureAppIdentity app => AzureTokenMinter.ScopesFor(app, request),
            GcpServiceAccountIdentity => GcpTokenMinter.ScopesFor(request),
            _ => [],
        };
        var duration = identity is AwsRoleIdentity ? request.DurationSeconds : 0;
        var key = new CacheKey(orgId, connectionId, connection.Version, duration, string.Join(' ', scopes));
        if (cache.Find(key) is { } cached)
        {
            LogCached(logger, connectionId, orgId, identity.Provider);
            return new CredentialsOutcome.Minted(identity.Provider, cached, Cached: true);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        var outcome = identity switch
        {
            AwsRoleIdentity role => await aws.MintAsync(connectionId, role, request, timeout.Token),
            AzureAppIdentity app => await azure.MintAsync(app, request with { Scopes = scopes }, timeout.Token),
            GcpServiceAccountIdentity account => await gcp.MintAsync(account, request with { Scopes = scopes }, timeout.Token),
            _ => throw new InvalidOperationException($"No minter for {identity.Provider}."),
        };
        cancellationToken.ThrowIfCancellationRequested();

        if (outcome.Credential is { } credential)
        {
            cache.Add(key, credential);
            LogMinted(logger, connectionId, orgId, identity.Provider, "minted");
            return new CredentialsOutcome.Minted(identity.Provider, credential, Cached: false);
        }

        var failure = outcome.Failure!;
        LogFailed(logger, connectionId, orgId, identity.Provider, failure.Kind, failure.Code);
        return new CredentialsOutcome.Failed(identity.Provider, failure);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credentials for connection {ConnectionId} in org {OrgId} from {Provider}: {How}")]
    private static partial void LogMinted(ILogger logger, Guid connectionId, Guid orgId, string provider, string how);

    // Debug: a credential served from the cache is in the audit trail (source=cache) and the
    // metrics; only a mint, which reaches the provider, is worth a line at Information (ADR 0021).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Credentials for connection {ConnectionId} in org {OrgId} from {Provider}: cached")]
    private static partial void LogCached(ILogger logger, Guid connectionId, Guid orgId, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credentials for connection {ConnectionId} in org {OrgId} from {Provider} failed: {Kind} {Code}")]
    private static partial void LogFailed(ILogger logger, Guid connectionId, Guid orgId, string provider, MintFailureKind kind, string code);
}

/// <summary>What asking a connection for credentials came to.</summary>
internal abstract record CredentialsOutcome
{
    public sealed record NotFound : CredentialsOutcome;

    public sealed record NotCloud(string IntegrationType) : CredentialsOutcome;

    public sealed record Minted(string Provider, MintedCredential Credential, bool Cached) : CredentialsOutcome;

    public sealed record Failed(string Provider, MintFailure Failure) : CredentialsOutcome;
}
