using ActionConnections.Secrets;


namespace ActionConnections.Connections;

/// <summary>
/// Re-encrypts every connection's secrets under the active master key, online: rows are taken
/// in batches, each re-sealed with optimistic concurrency, so reads and writes of the service go
/// on meanwhile. It keeps no checkpoint of its own: what is done is exactly the rows already under
/// the active key, so an interrupted rotation resumes by running it again.
/// </summary>
internal sealed class SecretRotation(IConnectionStore store, ConnectionService connections, ISecretProtector protector)
{
    public const int BatchSize = 200;

    public string ActiveKeyId => protector.ActiveKeyId;

    /// <summary>How many connections still have secrets under another key.</summary>
    public Task<long> RemainingAsync(CancellationToken cancellationToken) => store.CountNotUnderKeyAsync(protector.ActiveKeyId, cancellationToken);

    /// <summary>Re-seals until nothing is left; reports (done, total) after each connection. Returns how many were re-sealed.</summary>
    public async Task<long> RunAsync(IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var total = await RemainingAsync(cancellationToken);
        long done = 0;
        progress?.Report((done, total));
        while (true)
        {
            var batch = await store.ListNotUnderKeyAsync(protector.ActiveKeyId, BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                // Rows the service re-sealed itself meanwhile (a PATCH re-seals) are done too.
                progress?.Report((Math.Max(done, total), Math.Max(done, total)));
                return done;
            }

            if (done > (3 * total) + (10 * BatchSize))
            {
                throw new InvalidOperationException(
                    $"Rotation is not converging: connections keep being written under another key than {protector.ActiveKeyId}. Restart every server with {protector.ActiveKeyId} as its active master key, then run the rotation again.");
            }

            foreach (var (orgId, id) in batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await connections.ResealAsync(orgId, id, cancellationToken);
                done++;

                // Rows written meanwhile under an old key (a replica not yet restarted) join the work.
                total = Math.Max(total, done);
                progress?.Report((done, total));
            }
        }
    }
}
