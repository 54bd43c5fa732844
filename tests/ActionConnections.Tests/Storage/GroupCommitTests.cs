using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ActionConnections.Tests.Storage;

/// <summary>
/// Group commit on SQLite (docs/adr/0018-sqlite-group-commit.md): writes waiting while another
/// write holds the turn share its transaction and its one durable commit, and a write that fails
/// undoes only itself. Each test lines writes up behind one it holds open, so what shares a
/// commit is decided by order, not by timing. SQLite only (PostgreSQL commits each write itself).
/// </summary>
[Trait("Provider", "SQLite")]
public sealed class GroupCommitTests
{
    /// <summary>Bounds only a hang; no assertion depends on how long anything took.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ConcurrentCreates_WaitingBehindAnOpenWrite_AllCommitInOneDurableCommit()
    {
        const int Creates = 16;
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var db = (SqliteDatabase)app.Service<IDatabase>();
        var group = db.GroupCommit;
        using var listener = CommitWrites(app.Service<IMeterFactory>(), out var recorded);

        await using var connection = await db.OpenAsync(CancellationToken.None);
        var holder = await db.BeginWriteAsync(connection, CancellationToken.None);
        var commitsBefore = group.Commits;
        var unitsBefore = group.CommittedUnits;

        var creates = Enumerable.Range(0, Creates)
            .Select(i => app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/actions/connections", ConnectionBodies.Create(ConnectionBodies.AwsIntegration, $"grouped {i}")))
            .ToArray();
        await WaitForWaitingAsync(group, Creates);

        // Nothing is answered while the changes are not durable.
        Assert.All(creates, create => Assert.False(create.IsCompleted));

        await holder.CommitAsync();
        var responses = await Task.WhenAll(creates).WaitAsync(HangGuard);
        Assert.All(responses, response => Assert.True(response.Status == 201, response.ToString()));

        // The holder and the 16 creates: one commit (a heartbeat of the server's own may add one more).
        var commits = group.Commits - commitsBefore;
        Assert.InRange(commits, 1, 2);
        Assert.True(group.CommittedUnits - unitsBefore >= Creates + 1);

        // The metric operators see says the same: one commit carried all of them.
        Assert.Contains(recorded, writes => writes >= Creates + 1);

        var list = await app.Client.SendJsonAsync(HttpMethod.Get, "/api/v2/actions/connections?page[size]=100");
        Assert.Equal(Creates, list.Json.GetProperty("data").GetArrayLength());
    }

    /// <summary>Collects <c>actionconnections.sqlite.commit.writes</c> of this app's meters only (other tests' servers run alongside).</summary>
    private static MeterListener CommitWrites(IMeterFactory scope, out ConcurrentQueue<int> recorded)
    {
        var values = recorded = new ConcurrentQueue<int>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Meter.Scope == scope && instrument.Name == "actionconnections.sqlite.commit.writes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => values.Enqueue(value));
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task FailingWriteInABatch_RollsBackAlone_ItsNeighboursCommit()
    {
        await using var app = await TestApp.StartAsync();
        var db = (SqliteDatabase)app.Service<IDatabase>();
        var group = db.GroupCommit;
        await RunUnitAsync(db, "CREATE TABLE group_commit_probe (id INTEGER PRIMARY KEY);");

        await using var connection = await db.OpenAsync(CancellationToken.None);
        var holder = await db.BeginWriteAsync(connection, CancellationToken.None);
        var commitsBefore = group.Commits;

        // Queued in this order: 1 commits; 2 then 1 again fails on the key 1 it sees from its
        // neighbour, so its own 2 must go; 3 commits.
        var first = RunUnitAsync(db, "INSERT INTO group_commit_probe (id) VALUES (1);");
        await WaitForWaitingAsync(group, 1);
        var failing = RunUnitAsync(db, "INSERT INTO group_commit_probe (id) VALUES (2);", "INSERT INTO group_commit_probe (id) VALUES (1);");
        await WaitForWaitingAsync(group, 2);
        var third = RunUnitAsync(db, "INSERT INTO group_commit_probe (id) VALUES (3);");
        await WaitForWaitingAsync(group, 3);

        await holder.CommitAsync();
        await first.WaitAsync(HangGuard);
        await third.WaitAsync(HangGuard);
        var failure = await Assert.ThrowsAsync<SqliteException>(() => failing.WaitAsync(HangGuard));
        Assert.Equal(19, failure.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.InRange(group.Commits - commitsBefore, 1, 2);

        await using var reader = await db.OpenAsync(CancellationToken.None);
        await using var select = reader.Command("SELECT group_concat(id, ',') FROM (SELECT id FROM group_commit_probe ORDER BY id);");
        Assert.Equal("1,3", await select.ExecuteScalarAsync());
    }

    [Fact]
    public async Task WriteDisposedWithoutCommit_UndoesOnlyItself()
    {
        await using var app = await TestApp.StartAsync();
        var db = (SqliteDatabase)app.Service<IDatabase>();
        await RunUnitAsync(db, "CREATE TABLE group_commit_probe (id INTEGER PRIMARY KEY);");

        await using var connection = await db.OpenAsync(CancellationToken.None);
        var holder = await db.BeginWriteAsync(connection, CancellationToken.None);
        await using (var insert = connection.Command("INSERT INTO group_commit_probe (id) VALUES (7);", holder))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var next = RunUnitAsync(db, "INSERT INTO group_commit_probe (id) VALUES (8);");
        await WaitForWaitingAsync(db.GroupCommit, 1);
        await holder.DisposeAsync();
        await next.WaitAsync(HangGuard);

        await using var reader = await db.OpenAsync(CancellationToken.None);
        await using var select = reader.Command("SELECT group_concat(id, ',') FROM group_commit_probe;");
        Assert.Equal("8", await select.ExecuteScalarAsync());
    }

    [Fact]
    public async Task WritesWaitingForTheirTurn_HoldNoPooledConnection()
    {
        // More waiting writes than the pool keeps idle connections (16): a write that rented a
        // connection before waiting would make the pool open new ones, and close them afterwards.
        const int Writes = 40;
        await using var app = await TestApp.StartAsync();
        var db = (SqliteDatabase)app.Service<IDatabase>();
        await RunUnitAsync(db, "CREATE TABLE group_commit_probe (id INTEGER PRIMARY KEY);");

        var holder = await db.BeginUnitAsync(CancellationToken.None);
        var openedBefore = db.ConnectionsOpened;
        var writes = Enumerable.Range(1, Writes)
            .Select(i => db.WriteAsync(
                async tx =>
                {
                    await using var insert = tx.Command($"INSERT INTO group_commit_probe (id) VALUES ({i});");
                    return await insert.ExecuteNonQueryAsync();
                },
                CancellationToken.None))
            .ToArray();
        await WaitForWaitingAsync(db.GroupCommit, Writes);
        Assert.Equal(openedBefore, db.ConnectionsOpened);

        await holder.CommitAsync();
        Assert.All(await Task.WhenAll(writes).WaitAsync(HangGuard), inserted => Assert.Equal(1, inserted));

        // The batches run on the connection the holder's batch returned (a server's own background write may take one more).
        Assert.InRange(db.ConnectionsOpened - openedBefore, 0, 1);
        await using var reader = await db.OpenAsync(CancellationToken.None);
        await using var count = reader.Command("SELECT COUNT(*) FROM group_commit_probe;");
        Assert.Equal((long)Writes, await count.ExecuteScalarAsync());
    }

    /// <summary>One write as a store makes it: its own connection, a write transaction, its statements, commit.</summary>
    private static async Task RunUnitAsync(SqliteDatabase db, params string[] statements)
    {
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var tx = await db.BeginWriteAsync(connection, CancellationToken.None);
        foreach (var sql in statements)
        {
            await using var command = connection.Command(sql, tx);
            await command.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    private static async Task WaitForWaitingAsync(SqliteGroupCommit group, int count)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (group.WaitingUnits < count)
        {
            await Task.Delay(10, guard.Token);
        }
    }
}
