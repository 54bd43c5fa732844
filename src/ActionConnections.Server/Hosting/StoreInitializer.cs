using ActionConnections.Connections;
using ActionConnections.Identity;
using ActionConnections.Secrets;
using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Hosting;

/// <summary>
/// Runs before the server listens: applies migrations (or, when
/// <see cref="StorageOptions.MigratesOnStart"/> is off, checks that someone ran <c>migrate</c>)
/// and, when the store has no organisation yet, creates the default organisation with an admin
/// and one API and one application key; replicas starting together create it once.
/// </summary>
internal sealed class StoreInitializer(IDatabase db, IIdentityStore identity, IConnectionStore connections, MasterKeyRing keys, IOptions<StorageOptions> storage, IOptions<BootstrapOptions> bootstrap)
{
    public const string DefaultOrganizationName = "Default organization";

    /// <summary>Returns the bootstrap organisation when one was created by this call.</summary>
    public async Task<NewOrganization?> InitializeAsync(CancellationToken cancellationToken)
    {
        if (storage.Value.MigratesOnStart)
        {
            await db.MigrateAsync(cancellationToken);
        }
        else
        {
            await CheckSchemaAsync(cancellationToken);
        }

        await RequireMasterKeysAsync(connections, keys, cancellationToken);
        await using var startupLock = await db.AcquireStartupLockAsync(cancellationToken);
        if (await identity.HasAnyOrganizationAsync(cancellationToken))
        {
            return null;
        }

        return await identity.CreateOrganizationAsync(DefaultOrganizationName, "admin", bootstrap.Value.BootstrapApiKey, bootstrap.Value.BootstrapAppKey, cancellationToken);
    }

    private async Task CheckSchemaAsync(CancellationToken cancellationToken)
    {
        var current = await db.SchemaVersionAsync(cancellationToken);
        var latest = MigrationRunner.LatestVersion;
        if (current < latest)
        {
            throw new StartupException(
                $"the database schema is at version {current} and this build needs version {latest}. Run 'ActionConnections.Server migrate' with the same settings once (before starting the replicas), "
                + "or set ACTIONCONNECTIONS_DB_MIGRATE_ON_START=true to migrate at start.");
        }

        if (current > latest)
        {
            throw new StartupException($"the database schema is at version {current}, newer than this build knows ({latest}). Run a newer build.");
        }
    }

    /// <summary>
    /// Refuses to serve when stored secrets are under a master key that is not configured: every
    /// read of them would fail later, and a write could not keep them.
    /// </summary>
    public static async Task RequireMasterKeysAsync(IConnectionStore connections, MasterKeyRing keys, CancellationToken cancellationToken)
    {
        var missing = (await connections.KeyIdsInUseAsync(cancellationToken)).Except(keys.KeyIds, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new StartupException(
                $"Stored secrets are encrypted under master key(s) {string.Join(", ", missing)}, which are not configured. "
                + "Configure them (ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS, or lines of the master key file) and, to retire them, run 'secrets rotate'.");
        }
    }

    /// <summary>
    /// What a new operator sees once. Keys are never written to the console (it ends in logs):
    /// generated keys are in <paramref name="keysFile"/> (owner-only, <see cref="BootstrapKeysFile"/>),
    /// and keys the operator supplied are not echoed back.
    /// </summary>
    public static void Announce(NewOrganization created, string? keysFile, TextWriter output, string baseAddress = "http://localhost:5000")
    {
        output.WriteLine("ActionConnections: the store was empty, so a default organisation was created.");
        output.WriteLine($"  organisation id:     {created.Org.Id:D}");
        output.WriteLine($"  application key id:  {created.AppKey.Record.Id:D}");
        if (keysFile is null)
        {
            output.WriteLine("  API and application keys: the ones given in ACTIONCONNECTIONS_BOOTSTRAP_API_KEY / _APP_KEY.");
        }
        else
        {
            output.WriteLine($"  API and application keys: generated, written to {keysFile} (owner-only).");
            output.WriteLine("  Store them elsewhere, then delete that file. To use them in this shell:");
            output.WriteLine($"    set -a; . '{keysFile}'; set +a");
        }

        output.WriteLine("Next step: register the application key so it may use connections:");
        output.WriteLine($"  curl -X PUT {baseAddress.TrimEnd('/')}/api/v2/actions/app_key_registrations/{created.AppKey.Record.Id:D} \\");
        output.WriteLine("       -H \"DD-API-KEY: $DD_API_KEY\" -H \"DD-APPLICATION-KEY: $DD_APP_KEY\"");
        output.Flush();
    }
}
