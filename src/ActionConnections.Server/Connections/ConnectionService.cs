using ActionConnections.Audit;
using ActionConnections.Connections.Integrations;
using ActionConnections.Hosting;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Secrets;
using Microsoft.Extensions.Options;

namespace ActionConnections.Connections;

/// <summary>
/// Creates and updates connections: fills server-generated values, seals secrets through the one
/// <see cref="ISecretProtector"/> seam and applies updates with optimistic concurrency, so two
/// concurrent PATCHes of one connection never lose either update.
/// </summary>
internal sealed partial class ConnectionService(
    IConnectionStore store,
    AuditedWrites writes,
    ISecretProtector protector,
    TimeProvider time,
    IOptions<ServerOptions> options,
    ILogger<ConnectionService> logger)
{
    /// <summary>How often an update is re-applied to a fresh copy when another writer got there first.</summary>
    private const int MaxUpdateAttempts = 20;

    private readonly ServerGeneratedValues _generated = new(options.Value.AwsPrincipalId, static () => Guid.NewGuid().ToString("N"));

    /// <summary>Creates the connection, committed with <paramref name="audit"/>'s event.</summary>
    public async Task<ConnectionRecord> CreateAsync(Caller caller, CreateConnection request, AuditedAction audit, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var now = Truncate(time.GetUtcNow());
        var integration = request.Integration.WithCredentials(request.Integration.AnyCredentials.Complete(_generated));
        var secrets = Seal(caller.OrgId, id, integration.AnyCredentials, null);
        var record = new ConnectionRecord(id, caller.OrgId, request.Name, integration, secrets, request.Tags, caller.PrincipalId, now, now, 1, KeyIdOf(secrets));
        await writes.RunAsync(audit, tx => store.InsertAsync(tx, record, cancellationToken), _ => AuditOutcome.Created(id), cancellationToken);
        LogCreated(logger, id, caller.OrgId, integration.Type, integration.AnyCredentials.Type);
        return record;
    }

    /// <summary>
    /// Applies the update: the updated connection, null when there is none, or every error of an
    /// integration update that does not apply to the stored one. <paramref name="audit"/>'s event
    /// is committed with it when it succeeds.
    /// </summary>
    public async Task<Validated<ConnectionRecord?>> UpdateAsync(Caller caller, Guid id, UpdateConnection request, AuditedAction audit, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var current = await store.FindAsync(caller.OrgId, id, cancellationToken);
            if (current is null)
            {
                return Validated.Valid<ConnectionRecord?>(null);
            }

            var integration = current.Integration;
            if (request.Integration is { } update)
            {
                var errors = new ValidationErrors();
                var applied = ConnectionRequests.ApplyIntegrationUpdate(update, current.Integration, errors);
                if (errors.Any || applied is null)
                {
                    return errors.ToProblem();
                }

                integration = applied.WithCredentials(applied.AnyCredentials.Complete(_generated));
            }

            var secrets = Seal(caller.OrgId, id, integration.AnyCredentials, current.SealedSecrets);
            var next = current with
            {
                Name = request.Name ?? current.Name,
                Integration = integration,
                SealedSecrets = secrets,
                KeyId = KeyIdOf(secrets),
                Tags = request.Tags ?? current.Tags,
                UpdatedAt = Truncate(time.GetUtcNow()),
                Version = current.Version + 1,
            };
            // A lost version race changes nothing and writes no event; the next attempt may.
            var replaced = await writes.RunAsync(
                audit, tx => store.ReplaceAsync(tx, next, current.Version, cancellationToken), done => done ? AuditOutcome.Http(StatusCodes.Status200OK) : null, cancellationToken);
            if (replaced)
            {
                LogUpdated(logger, id, caller.OrgId, integration.Type, integration.AnyCredentials.Type);
                return Validated.Valid<ConnectionRecord?>(next);
            }
        }

        throw new Storage.StoreUnavailableException("The connection kept changing under this update.", new TimeoutException());
    }

    /// <summary>Deletes the connection; <paramref name="audit"/>'s event is committed with it when it existed.</summary>
    public async Task<bool> DeleteAsync(Caller caller, Guid id, AuditedAction audit, CancellationToken cancellationToken)
    {
        var deleted = await writes.RunAsync(
            audit, tx => store.DeleteAsync(tx, caller.OrgId, id, cancellationToken), done => done ? AuditOutcome.Http(StatusCodes.Status204NoContent) : null, cancellationToken);
        if (deleted)
        {
            LogDeleted(logger, id, caller.OrgId);
        }

        return deleted;
    }

    /// <summary>
    /// Puts every secret of a connection under the active master key (key rotation). Returns
    /// false when the connection no longer exists. Concurrent updates are retried like PATCHes.
    /// </summary>
    public async Task<bool> ResealAsync(Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var current = await store.FindAsync(orgId, id, cancellationToken);
            if (current is null)
            {
                return false;
            }

            if (current.KeyId == protector.ActiveKeyId)
            {
                return true;
            }

            var secrets = Seal(orgId, id, current.Integration.AnyCredentials, current.SealedSecrets);
            if (await store.ReplaceAsync(current with { SealedSecrets = secrets, KeyId = KeyIdOf(secrets), Version = current.Version + 1 }, current.Version, null, cancellationToken))
            {
                return true;
            }
        }

        throw new Storage.StoreUnavailableException("The connection kept changing during re-encryption.", new TimeoutException());
    }

    /// <summary>
    /// One ciphertext per secret, all under the active master key. New plaintexts are encrypted;
    /// stored ciphertexts are kept as they are when already under the active key, else decrypted
    /// and re-encrypted (so a connection's secrets never straddle two keys); secrets the
    /// credentials no longer have are dropped.
    /// </summary>
    private Dictionary<string, string> Seal(Guid orgId, Guid connectionId, Credentials credentials, IReadOnlyDictionary<string, string>? previous)
    {
        var sealedSecrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, secret) in credentials.Secrets())
        {
            var context = new SecretContext(orgId, connectionId, name);
            if (secret.HasValue)
            {
                sealedSecrets[name] = protector.Protect(secret.Reveal(), context);
            }
            else if (previous is not null && previous.TryGetValue(name, out var existing))
            {
                sealedSecrets[name] = protector.KeyIdOf(existing) == protector.ActiveKeyId
                    ? existing
                    : protector.Protect(protector.Unprotect(existing, context), context);
            }
            else
            {
                throw new InvalidOperationException($"Secret '{name}' of connection {connectionId} has neither a new value nor a stored one.");
            }
        }

        return sealedSecrets;
    }

    private string? KeyIdOf(Dictionary<string, string> secrets) => secrets.Count == 0 ? null : protector.ActiveKeyId;

    /// <summary>Storage keeps microseconds; answering with the stored precision keeps create and get identical.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created connection {ConnectionId} in org {OrgId} ({IntegrationType}/{CredentialType})")]
    private static partial void LogCreated(ILogger logger, Guid connectionId, Guid orgId, string integrationType, string credentialType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated connection {ConnectionId} in org {OrgId} ({IntegrationType}/{CredentialType})")]
    private static partial void LogUpdated(ILogger logger, Guid connectionId, Guid orgId, string integrationType, string credentialType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted connection {ConnectionId} in org {OrgId}")]
    private static partial void LogDeleted(ILogger logger, Guid connectionId, Guid orgId);
}
