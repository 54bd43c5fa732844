using System.Data;
using ActionConnections.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ActionConnections.Tests.Storage;

/// <summary>
/// The server's pool of long-lived SQLite connections: connections and their prepared statements
/// are reused, and a connection that comes back in a state that must not leak into the next
/// request (an open transaction, a statement still running) is closed instead. SQLite only.
/// </summary>
[Trait("Provider", "SQLite")]
public sealed class SqliteConnectionPoolTests : IAsyncLifetime, IDisposable
{
    private const string CountSql = "SELECT COUNT(*) FROM schema_migrations;";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ac-pool-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteDatabase _db;

    public SqliteConnectionPoolTests() => _db = new SqliteDatabase(Options.Create(new StorageOptions { DataDir = _dataDir }));

    public async Task InitializeAsync() => await _db.MigrateAsync(CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Connection_ReturnedClean_IsReusedWithItsStatementStillPrepared()
    {
        var (connection, command) = await RunOnceAsync(CountSql);
        var (again, commandAgain) = await RunOnceAsync(CountSql);

        Assert.Same(connection, again);
        Assert.Same(command, commandAgain);
        Assert.Equal(ConnectionState.Open, again.State);
    }

    [Fact]
    public async Task PreparedCommand_IsClearedBetweenUses()
    {
        await using (var connection = await _db.OpenAsync(CancellationToken.None))
        {
            await using var command = connection.Command("SELECT @a + 1;").With("@a", 41L);
            Assert.Equal(42L, await command.ExecuteScalarAsync());
        }

        await using (var connection = await _db.OpenAsync(CancellationToken.None))
        {
            await using var command = connection.Command("SELECT @a + 1;");
            Assert.Empty(command.Parameters);
            Assert.Null(command.Transaction);
            await Assert.ThrowsAsync<InvalidOperationException>(() => command.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task SameStatementTwiceAtOnce_OnOneConnection_GetsTwoCommands()
    {
        await using var connection = await _db.OpenAsync(CancellationToken.None);
        await using var first = connection.Command(CountSql);
        await using var firstReader = await first.ExecuteReaderAsync();
        Assert.True(await firstReader.ReadAsync());

        await using var second = connection.Command(CountSql);

        Assert.NotSame(first, second);
        Assert.Equal(firstReader.GetInt64(0), await second.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Connection_ReturnedWithATransactionOpen_IsClosedAndItsWriteRolledBack()
    {
        var connection = await _db.OpenAsync(CancellationToken.None);
        var transaction = ((SqliteConnection)connection).BeginTransaction();
        await using (var insert = connection.Command("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'left open', 0);", transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await connection.DisposeAsync();

        Assert.Equal(ConnectionState.Closed, connection.State);
        await using var next = await _db.OpenAsync(CancellationToken.None);
        Assert.NotSame(connection, next);
        await using var count = next.Command("SELECT COUNT(*) FROM schema_migrations WHERE version = 9999;");
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Connection_ReturnedWithAReaderStillOpen_IsNotReused()
    {
        var connection = await _db.OpenAsync(CancellationToken.None);
        var command = connection.Command(CountSql);
        var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        await connection.DisposeAsync();

        await using var next = await _db.OpenAsync(CancellationToken.None);
        Assert.NotSame(connection, next);
        GC.KeepAlive(reader);
    }

    [Fact]
    public async Task ManyConcurrentUsers_AllGetWorkingConnections()
    {
        var tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await using var connection = await _db.OpenAsync(CancellationToken.None);
                await using var command = connection.Command("SELECT @n * 2;").With("@n", (long)i);
                Assert.Equal(i * 2L, await command.ExecuteScalarAsync());
            }
        }));

        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task DisposedDatabase_ClosesConnections_AndOpensNoMore()
    {
        var idle = (await RunOnceAsync(CountSql)).Connection;
        var busy = await _db.OpenAsync(CancellationToken.None);

        _db.Dispose();
        await busy.DisposeAsync();

        Assert.Equal(ConnectionState.Closed, idle.State);
        Assert.Equal(ConnectionState.Closed, busy.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await _db.OpenAsync(CancellationToken.None));
    }

    private async Task<(System.Data.Common.DbConnection Connection, System.Data.Common.DbCommand Command)> RunOnceAsync(string sql)
    {
        await using var connection = await _db.OpenAsync(CancellationToken.None);
        await using var command = connection.Command(sql);
        Assert.NotNull(await command.ExecuteScalarAsync());
        return (connection, command);
    }
}
