using ActionConnections.Audit;
using ActionConnections.Connections.Integrations;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Observability;
using ActionConnections.Secrets;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Connections;

/// <summary>
/// Creates and updates connections: fills server-generated values, seals secrets through the one
/// <see cref="ISecretProtector"/> seam and applies each update to the stored connection under its
/// write lock, so concurrent PATCHes of one connection queue and never lose either update.
/// </summary>
internal sealed partial class ConnectionService(
    IConnectionStore store,
    AuditedWrites writes,
    IDatabase db,
    ISecretProtector protector,
    TimeProvider time,
    IOptions<ConnectionsOptions> options,
    ActionConnectionsMetrics metrics,
    IEnumerable<IConnectionChangeObserver> observers,
    ILogger<ConnectionService> logger)
{
    private readonly ServerGeneratedValues _generated = new(options.Value.AwsPrincipalId, static () => Guid.NewGuid().ToString("N"));

    /// <summary>Creates the connection, committed with <paramref name="audit"/>'s event.</summary>
    public async Task<ConnectionRecord> CreateAsync(Caller caller, CreateConnection request, AuditedAction audit, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var now = Truncate(time.GetUtcNow());
        var integration = request.Integration.WithCredentials(request.Integration.AnyCredentials.Complete(_generated));
        var secrets = Seal(caller.OrgId, id, integration.AnyCredentials, null);
        var record = new ConnectionRecord(id, caller.OrgId, request.Name, integration, secrets, request.Tags, caller.PrincipalId, now, now, 1, KeyIdOf(secrets))
        {
            SecretHosts = BindSecrets(integration, null),
        };
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
        ValidationErrors? invalid = null;
        var resealedKept = false;
        var written = await writes.RunAsync(audit, tx => store.UpdateAsync(tx, caller.OrgId, id, current =>
        {
            var integration = current.Integration;
            if (request.Integration is { } update)
            {
                var errors = new ValidationErrors();
                var applied = ConnectionRequests.ApplyIntegrationUpdate(update, current.Integration, errors);
                if (errors.Any || applied is null)
                {
                    invalid = errors;
                    return null;
                }

                integration = applied.WithCredentials(applied.AnyCredentials.Complete(_generated));
            }

            var secrets = Seal(caller.OrgId, id, integration.AnyCredentials, current.SealedSecrets);
            resealedKept = current.KeyId is not null && current.KeyId != protector.ActiveKeyId;
            return current with
            {
                Name = request.Name ?? current.Name,
                Integration = integration,
                SealedSecrets = secrets,
                SecretHosts = BindSecrets(integration, current),
                KeyId = KeyIdOf(secrets),
                Tags = request.Tags ?? current.Tags,
                UpdatedAt = Truncate(time.GetUtcNow()),
                Version = current.Version + 1,
            };
        }, cancellationToken), next => next is null ? null : AuditOutcome.Http(StatusCodes.Status200OK), cancellationToken);

        if (invalid is not null)
        {
            return invalid.ToProblem();
        }

        if (written is null)
        {
            return Validated.Valid<ConnectionRecord?>(null);
        }

        if (resealedKept)
        {
            // Kept secrets were re-sealed under the active key along with the update.
            metrics.RecordSecretsReencrypted("update");
        }

        LogUpdated(logger, id, caller.OrgId, written.Integration.Type, written.Integration.AnyCredentials.Type);
        NotifyChanged(caller.OrgId, id);
        return Validated.Valid<ConnectionRecord?>(written);
    }

    /// <summary>Deletes the connection; <paramref name="audit"/>'s event is committed with it when it existed.</summary>
    public async Task<bool> DeleteAsync(Caller caller, Guid id, AuditedAction audit, CancellationToken cancellationToken)
    {
        var deleted = await writes.RunAsync(
            audit, tx => store.DeleteAsync(tx, caller.OrgId, id, cancellationToken), done => done ? AuditOutcome.Http(StatusCodes.Status204NoContent) : null, cancellationToken);
        if (deleted)
        {
            LogDeleted(logger, id, caller.OrgId);
            NotifyChanged(caller.OrgId, id);
        }

        return deleted;
    }

    /// <summary>
    /// Puts every secret of a connection under the active master key (key rotation). Returns
    /// false when the connection no longer exists. Concurrent updates queue on its lock like PATCHes.
    /// </summary>
    public async Task<bool> ResealAsync(Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        var found = false;
        // Not audited per connection: the rotation is one event (master_key.rotate).
        var written = await db.WriteAsync(tx => store.UpdateAsync(tx, orgId, id, current =>
        {
            found = true;
            if (current.KeyId == protector.ActiveKeyId)
            {
                return null;
            }

            var secrets = Seal(orgId, id, current.Integration.AnyCredentials, current.SealedSecrets);
            return current with { SealedSecrets = secrets, KeyId = KeyIdOf(secrets), Version = current.Version + 1 };
        }, cancellationToken), cancellationToken);
        if (written is not null)
        {
            metrics.RecordSecretsReencrypted("rotation");
        }

        return found;
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
                    : protector.Protect(UnprotectKept(existing, context), context);
            }
            else
            {
                throw new InvalidOperationException($"Secret '{name}' of connection {connectionId} has neither a new value nor a stored one.");
            }
        }

        return sealedSecrets;
    }

    /// <summary>
    /// A kept secret under a master key this process does not have (another process re-sealed it
    /// under a key added since this one started, and the key file does not have it either) is a
    /// 503 for this server, with the key named in the log, never a 500 (issue 11, item 2).
    /// </summary>
    private string UnprotectKept(string ciphertext, SecretContext context)
    {
        try
        {
            return protector.Unprotect(ciphertext, context);
        }
        catch (MasterKeyUnavailableException e)
        {
            LogKeyUnavailable(logger, context.ConnectionId, e.KeyId);
            throw new Storage.StoreUnavailableException($"Master key {e.KeyId} is not configured on this server.", e);
        }
    }

    private void NotifyChanged(Guid orgId, Guid id)
    {
        foreach (var observer in observers)
        {
            observer.ConnectionChanged(orgId, id);
        }
    }

    /// <summary>
    /// The destination each secret is bound to (issue 13, behaviour 9): a secret given now is bound
    /// to the destination the connection names now; a kept secret keeps its binding (or, stored
    /// before bindings existed, is bound to the destination the connection named before this
    /// update), so a PATCH that moves a connection elsewhere cannot carry its secrets along.
    /// </summary>
    private static Dictionary<string, string> BindSecrets(Integration integration, ConnectionRecord? previous)
    {
        var hosts = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = Destinations.BindingHost(integration);
        var before = previous is null ? null : Destinations.BindingHost(previous.Integration);
        foreach (var (name, secret) in integration.AnyCredentials.Secrets())
        {
            var host = secret.HasValue ? now : previous?.SecretHosts.GetValueOrDefault(name) ?? before;
            if (host is not null)
            {
                hosts[name] = host;
            }
        }

        return hosts;
    }

    private string? KeyIdOf(Dictionary<string, string> secrets) => secrets.Count == 0 ? null : protector.ActiveKeyId;

    /// <summary>Storage keeps microseconds; answering with the stored precision keeps create and get identical.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created connection {ConnectionId} in org {OrgId} ({IntegrationType}/{CredentialType})")]
    private static partial void LogCreated(ILogger logger, Guid connectionId, Guid orgId, string integrationType, string credentialType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated connection {ConnectionId} in org {OrgId} ({IntegrationType}/{CredentialType})")]
    private static partial void LogUpdated(ILogger logger, Guid connectionId, Guid orgId, string integrationType, string credentialType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} has secrets under master key {KeyId}, which this server does not have; answered 503. Restart it with the current key file or ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS")]
    private static partial void LogKeyUnavailable(ILogger logger, Guid connectionId, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted connection {ConnectionId} in org {OrgId}")]
    private static partial void LogDeleted(ILogger logger, Guid connectionId, Guid orgId);
}
