using ActionConnections.Audit;
using ActionConnections.Connections;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Audit;

/// <summary>
/// A connection write and its audit event are one transaction: they commit together (one durable
/// commit) or not at all, and an attempt that changes nothing writes no event.
/// </summary>
public sealed class AuditCommitTests
{
    private const string Connections = "/api/v2/actions/connections";
    private const string Events = "/api/v2/actionconnections/audit_events";

    [Fact]
    public async Task Insert_WhoseAuditEventCannotBeWritten_LeavesNoConnection()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "first");
        var store = app.Service<IConnectionStore>();
        var first = await store.FindAsync(app.OrgId, Guid.Parse(id), CancellationToken.None);
        var audit = new AuditEvent { Id = Guid.NewGuid(), At = DateTimeOffset.UtcNow, OrgId = app.OrgId, Action = AuditActions.ConnectionCreate, Outcome = "success", Source = "api" };
        var second = first! with { Id = Guid.NewGuid(), Name = "second" };
        await store.InsertAsync(second, audit, CancellationToken.None);

        // The same event id again: the audit insert fails, so the connection must not stay either.
        var third = first with { Id = Guid.NewGuid(), Name = "third" };
        await Assert.ThrowsAnyAsync<Exception>(() => store.InsertAsync(third, audit, CancellationToken.None));

        Assert.NotNull(await store.FindAsync(app.OrgId, second.Id, CancellationToken.None));
        Assert.Null(await store.FindAsync(app.OrgId, third.Id, CancellationToken.None));
        Assert.Equal(2, (await app.Client.GetJsonAsync(Connections)).Json.GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ConcurrentPatches_EachSuccessfulPatchHasExactlyOneEvent()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "raced");

        // Concurrent PATCHes of one connection retry on version conflicts; the attempts that lose
        // change nothing and must write nothing.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$"""{"name":"patch {{i}}"}"""))));

        Assert.All(statuses, s => Assert.Equal(200, s.Status));
        var events = await app.Client.GetJsonAsync($"{Events}?filter[action]=connection.update&page[size]=100");
        var updates = events.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("attributes")).ToList();
        Assert.Equal(12, updates.Count);
        Assert.All(updates, e => Assert.Equal((id, 200), (e.GetProperty("target_id").GetString(), e.GetProperty("status").GetInt32())));
        Assert.Equal(12, updates.Select(e => e.GetProperty("request_id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Delete_OfAConnectionAlreadyGone_RecordsOneFailureAndNoSuccess()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "twice");

        Assert.Equal(204, (await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}")).Status);
        Assert.Equal(404, (await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}")).Status);

        var events = await app.Client.GetJsonAsync($"{Events}?filter[action]=connection.delete");
        var deletes = events.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("attributes")).ToList();
        Assert.Equal([404, 204], deletes.Select(e => e.GetProperty("status").GetInt32()).ToArray());
    }
}
