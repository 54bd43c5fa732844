using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Storage;

/// <summary>
/// The per-connection settings SQLite durability relies on hold on every connection the pool
/// hands out, although they are applied once per native connection. SQLite only (the PostgreSQL
/// pass filters on the trait).
/// </summary>
[Trait("Provider", "SQLite")]
public sealed class SqliteConnectionTests
{
    [Fact]
    public async Task PooledConnections_EveryOpen_HasSynchronousFullForeignKeysAndBusyTimeout()
    {
        await using var app = await TestApp.StartAsync();
        var db = app.Service<IDatabase>();
        Assert.Equal("sqlite", db.ProviderName);

        for (var i = 0; i < 5; i++)
        {
            await using var connection = await db.OpenAsync(CancellationToken.None);
            Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA synchronous;"));
            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys;"));
            Assert.Equal(5000L, await ScalarAsync(connection, "PRAGMA busy_timeout;"));
            Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        }
    }

    private static async Task<object?> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.Command(sql);
        return await command.ExecuteScalarAsync();
    }
}
