using System.Data.Common;
using ActionConnections.Storage;

namespace ActionConnections.Secrets;

/// <summary>
/// A running server as it last reported itself: the master key it writes new secrets under and
/// the keys it can decrypt with (ADR 0012).
/// </summary>
internal sealed record ServerInstance(Guid Id, string Host, long ProcessId, string ActiveKeyId, IReadOnlyList<string> KeyIds, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt)
{
    public override string ToString() => $"{Host} pid {ProcessId} (server {Id:D}, writing under {ActiveKeyId})";
}

/// <summary>
/// Running servers record in the database which master key they write with, and refresh that
/// record (a heartbeat) every <see cref="HeartbeatInterval"/>, so that <c>secrets rotate</c> and
/// <c>secrets retire-keys</c>, run elsewhere, can refuse what would break a live server.
/// </summary>
internal sealed class ServerInstanceStore(IDatabase db)
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>A server is live while its last heartbeat is younger than this (three missed beats).</summary>
    public static readonly TimeSpan LiveFor = TimeSpan.FromSeconds(30);

    public async Task UpsertAsync(ServerInstance instance, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(connection, cancellationToken);
        await using (var command = connection.Command("""
            INSERT INTO server_instances (id, host, process_id, active_key_id, key_ids, started_at, heartbeat_at)
            VALUES (@id, @host, @pid, @active, @keys, @started, @beat)
            ON CONFLICT (id) DO UPDATE SET active_key_id = @active, key_ids = @keys, heartbeat_at = @beat;
            """, tx)
            .With("@id", instance.Id).With("@host", instance.Host).With("@pid", instance.ProcessId).With("@active", instance.ActiveKeyId)
            .With("@keys", string.Join(',', instance.KeyIds)).With("@started", instance.StartedAt).With("@beat", instance.HeartbeatAt))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Records of servers gone for a day go: a crashed server leaves its record behind.
        await using (var purge = connection.Command("DELETE FROM server_instances WHERE heartbeat_at < @old;", tx).With("@old", instance.HeartbeatAt.AddDays(-1)))
        {
            await purge.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(connection, cancellationToken);
        await using (var command = connection.Command("DELETE FROM server_instances WHERE id = @id;", tx).With("@id", id))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Servers whose heartbeat is younger than <see cref="LiveFor"/> at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<ServerInstance>> ListLiveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT id, host, process_id, active_key_id, key_ids, started_at, heartbeat_at FROM server_instances
            WHERE heartbeat_at >= @since ORDER BY host, process_id, id;
            """).With("@since", now - LiveFor);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var live = new List<ServerInstance>();
        while (await reader.ReadAsync(cancellationToken))
        {
            live.Add(Read(reader));
        }

        return live;
    }

    private static ServerInstance Read(DbDataReader r) => new(
        r.GetGuid("id"),
        r.Text("host"),
        r.Int64("process_id"),
        r.Text("active_key_id"),
        r.Text("key_ids").Split(',', StringSplitOptions.RemoveEmptyEntries),
        r.Time("started_at"),
        r.Time("heartbeat_at"));
}

/// <summary>The server's own record in <see cref="ServerInstanceStore"/>: written before it listens, refreshed, removed when it stops.</summary>
internal sealed partial class ServerInstanceHeartbeat(ServerInstanceStore store, MasterKeyRing keys, TimeProvider time, ILogger<ServerInstanceHeartbeat> logger) : BackgroundService
{
    private readonly Guid _id = Guid.NewGuid();
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server takes requests, so no write of it happens unannounced. A database that
        // cannot be reached now takes no writes either: the server still starts (it answers 503
        // until the database is back, see the outage tests) and the next beat records it.
        try
        {
            await store.UpsertAsync(Current(), cancellationToken);
        }
        catch (Storage.StoreUnavailableException e)
        {
            LogHeartbeatFailed(logger, e.GetType().Name);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ServerInstanceStore.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.UpsertAsync(Current(), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be away for a while; the next beat tries again.
                    LogHeartbeatFailed(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await store.DeleteAsync(_id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Left behind, the record stops counting as live after ServerInstanceStore.LiveFor.
            LogHeartbeatFailed(logger, e.GetType().Name);
        }
    }

    private ServerInstance Current() =>
        new(_id, Environment.MachineName, Environment.ProcessId, keys.Active.Id, [.. keys.KeyIds], _startedAt, time.GetUtcNow());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record this server's master key and heartbeat: {ExceptionType}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string exceptionType);
}
