using System.Data.Common;

using ActionConnections.Storage;

using Microsoft.Data.Sqlite;

namespace ActionConnections.Bench.Seeder;

/// <summary>
/// The server's SQLite database with one difference while seeding: connections run
/// <c>synchronous=OFF</c>, so each of the server's one-row transactions is not waited on the
/// disk (the disk ceiling here is a few hundred durable commits a second, which would make a
/// million rows take the best part of an hour). Schema, SQL, row format, transactions and
/// locking are all the server's. <see cref="MakeDurableAsync"/> checkpoints with
/// <c>synchronous=FULL</c> at the end, so the result is on disk before the server opens it.
/// SQLite only: with PostgreSQL the seeder keeps the server's database unchanged (see
/// <see cref="ServerServices"/>).
/// </summary>
internal sealed class BulkLoadDatabase(SqliteDatabase durable) : IDatabase
{
    // A large page cache too: a million random UUID keys make the id index far bigger than the default 2 MB.
    private const string BulkPragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144;";

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = durable.Path,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string ProviderName => durable.ProviderName;

    public string LockRowClause => durable.LockRowClause;

    public async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.Command(BulkPragmas);
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        durable.BeginWriteAsync(connection, cancellationToken);

    public Task<int> MigrateAsync(CancellationToken cancellationToken) => durable.MigrateAsync(cancellationToken);

    public Task<long> SchemaVersionAsync(CancellationToken cancellationToken) => durable.SchemaVersionAsync(cancellationToken);

    public Task<IAsyncDisposable> AcquireStartupLockAsync(CancellationToken cancellationToken) => durable.AcquireStartupLockAsync(cancellationToken);

    public bool IsTransient(Exception exception) => durable.IsTransient(exception);

    /// <summary>Moves everything from the WAL into the database file and syncs it.</summary>
    public async Task MakeDurableAsync(CancellationToken cancellationToken)
    {
        await using var connection = await durable.OpenAsync(cancellationToken);
        await using var checkpoint = connection.Command("PRAGMA wal_checkpoint(TRUNCATE);");
        await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        SqliteConnection.ClearAllPools();
    }
}
