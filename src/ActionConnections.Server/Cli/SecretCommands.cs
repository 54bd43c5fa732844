using System.CommandLine;
using System.Security.Cryptography;
using ActionConnections.Audit;
using ActionConnections.Connections;
using ActionConnections.Secrets;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cli;

/// <summary>
/// Master-key rotation: <c>secrets status</c>, <c>secrets add-key</c> (key file only),
/// <c>secrets rotate</c> (online, resumable, with a progress bar) and <c>secrets retire-keys</c>.
/// </summary>
internal static class SecretCommands
{
    public static Command Build(StoreCommand store)
    {
        var secrets = new Command("secrets", "Master keys and the encryption of connection secrets.");
        secrets.Subcommands.Add(Status(store));
        secrets.Subcommands.Add(AddKey(store));
        secrets.Subcommands.Add(Rotate(store));
        secrets.Subcommands.Add(RetireKeys(store));
        return secrets;
    }

    private static Command Status(StoreCommand store)
    {
        var status = new Command("status", "Show the configured master keys, the keys stored secrets are under, and what is left to rotate.");
        store.SetAction(status, async (parse, context, ct) =>
        {
            var keys = context.Services.GetRequiredService<MasterKeyRing>();
            var inUse = await context.Services.GetRequiredService<IConnectionStore>().KeyIdsInUseAsync(ct);
            var remaining = await context.Services.GetRequiredService<SecretRotation>().RemainingAsync(ct);
            context.Out.WriteLine($"active key:       {keys.Active.Id}");
            context.Out.WriteLine($"previous keys:    {(keys.Previous.Count == 0 ? "-" : string.Join(", ", keys.Previous.Select(k => k.Id)))}");
            context.Out.WriteLine($"keys in use:      {(inUse.Count == 0 ? "-" : string.Join(", ", inUse))}");
            context.Out.WriteLine($"left to rotate:   {remaining} connection(s)");
            var missing = inUse.Except(keys.KeyIds, StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                return context.Fail($"stored secrets need master key(s) that are not configured: {string.Join(", ", missing)}.");
            }

            return ExitCodes.Success;
        });
        return status;
    }

    private static Command AddKey(StoreCommand store)
    {
        var addKey = new Command("add-key", "Generate a new master key and make it the active one of the key file; older keys stay, to decrypt.");
        store.SetAction(addKey, async (parse, context, ct) =>
        {
            var options = context.Services.GetRequiredService<IOptions<SecretsOptions>>().Value;
            var dataDir = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir;
            if (!string.IsNullOrWhiteSpace(options.MasterKey))
            {
                return context.Fail("the master key comes from ACTIONCONNECTIONS_MASTER_KEY: set it to a new key (openssl rand -base64 32) and put the old one in ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS.");
            }

            var path = MasterKeyLoader.KeyFilePath(options, dataDir);
            var current = File.Exists(path) ? MasterKeyLoader.ReadFile(path) : [];
            var added = new MasterKey(RandomNumberGenerator.GetBytes(32));
            MasterKeyLoader.WriteFile(path, [added, .. current]);
            await context.Audit.RecordCliAsync(null, AuditActions.MasterKeyAdd, "master_key", added.Id, ct);
            context.Out.WriteLine($"Added master key {added.Id} as the active key of {path}.");
            context.Out.WriteLine("Next: restart every server so new secrets are written under it, then run 'secrets rotate'.");
            return ExitCodes.Success;
        });
        return addKey;
    }

    private static Command Rotate(StoreCommand store)
    {
        var rotate = new Command("rotate", "Re-encrypt every secret under the active master key, online. Run it again to resume after an interruption.");
        store.SetAction(rotate, async (parse, context, ct) =>
        {
            var rotation = context.Services.GetRequiredService<SecretRotation>();

            // A running server that cannot decrypt under the new key would fail on every
            // connection re-sealed here; it must be restarted (with the new key file) first.
            var lacking = (await LiveServersAsync(context, ct)).Where(s => !s.KeyIds.Contains(rotation.ActiveKeyId, StringComparer.Ordinal)).ToList();
            if (lacking.Count > 0)
            {
                return context.Fail(
                    $"running server(s) do not have master key {rotation.ActiveKeyId}, which 'rotate' would re-encrypt under: {string.Join("; ", lacking)}. "
                    + "Restart them with the current key file (or ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS), then run 'secrets rotate' again.");
            }

            var bar = new ProgressBar(context.Error, "rotating");
            long done;
            try
            {
                done = await rotation.RunAsync(bar, ct);
            }
            catch (Exception e) when (e is InvalidOperationException or SecretDecryptionException)
            {
                bar.Complete();
                return context.Fail(e.Message);
            }

            bar.Complete();
            await context.Audit.RecordCliAsync(null, AuditActions.MasterKeyRotate, "master_key", rotation.ActiveKeyId, ct);
            context.Out.WriteLine($"Re-encrypted {done} connection(s); every secret is under {rotation.ActiveKeyId}.");
            return ExitCodes.Success;
        });
        return rotate;
    }

    private static Command RetireKeys(StoreCommand store)
    {
        var retire = new Command("retire-keys", "Remove from the key file every key no stored secret is under any more.");
        store.SetAction(retire, async (parse, context, ct) =>
        {
            var options = context.Services.GetRequiredService<IOptions<SecretsOptions>>().Value;
            var dataDir = context.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir;
            if (!string.IsNullOrWhiteSpace(options.MasterKey))
            {
                return context.Fail("the master key comes from the environment: remove unused keys from ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS yourself ('secrets status' shows which are in use).");
            }

            var path = MasterKeyLoader.KeyFilePath(options, dataDir);
            var keys = MasterKeyLoader.ReadFile(path);
            var inUse = (await context.Services.GetRequiredService<IConnectionStore>().KeyIdsInUseAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var kept = keys.Where((k, i) => i == 0 || inUse.Contains(k.Id)).ToList();
            var retired = keys.Except(kept).ToList();

            // A running server keeps writing new secrets under the key it started with; retiring
            // that key would leave those secrets undecryptable after its next restart.
            var writers = (await LiveServersAsync(context, ct)).Where(s => retired.Any(k => k.Id == s.ActiveKeyId)).ToList();
            if (writers.Count > 0)
            {
                return context.Fail(
                    $"master key(s) {string.Join(", ", writers.Select(s => s.ActiveKeyId).Distinct())} are still what running server(s) write new secrets under: {string.Join("; ", writers)}. "
                    + "Restart them with the current key file, run 'secrets rotate', then 'secrets retire-keys' again.");
            }

            MasterKeyLoader.WriteFile(path, kept);
            foreach (var key in retired)
            {
                await context.Audit.RecordCliAsync(null, AuditActions.MasterKeyRetire, "master_key", key.Id, ct);
            }

            context.Out.WriteLine(retired.Count == 0
                ? "No key to retire."
                : $"Retired {string.Join(", ", retired.Select(k => k.Id))}; kept {string.Join(", ", kept.Select(k => k.Id))}.");
            return ExitCodes.Success;
        });
        return retire;
    }

    /// <summary>Servers that reported their master keys within <see cref="ServerInstanceStore.LiveFor"/> (ADR 0012).</summary>
    private static Task<IReadOnlyList<ServerInstance>> LiveServersAsync(StoreContext context, CancellationToken ct) =>
        context.Services.GetRequiredService<ServerInstanceStore>().ListLiveAsync(context.Services.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
}
