using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ActionConnections.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// The store of one test. SQLite (default): a fresh data directory. PostgreSQL, when
/// <c>ACTIONCONNECTIONS_TEST_POSTGRES</c> holds a base connection string (scripts/test.sh's second
/// pass): a fresh database <c>ac_&lt;guid&gt;</c> on that server, dropped on dispose. Servers and
/// CLI runs over the same store see the same data, so replicas share one.
/// </summary>
internal sealed class TestStore : IAsyncDisposable, IDisposable
{
    public const string PostgresVariable = "ACTIONCONNECTIONS_TEST_POSTGRES";

    private static readonly string? BaseConnection = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    // Unpooled: the fault tests restart the server, which would leave pooled connections broken.
    private static readonly Lazy<NpgsqlDataSource> Maintenance = new(() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(BaseConnection) { Pooling = false }.ConnectionString));

    private readonly Dictionary<string, string?> _settings = [];
    private bool _disposed;

    private TestStore(string dataDir, string? databaseName, string? connectionString)
    {
        DataDir = dataDir;
        DatabaseName = databaseName;
        ConnectionString = connectionString;
        if (connectionString is not null)
        {
            _settings["ActionConnections:DbProvider"] = PostgresDatabase.Provider;
            _settings["ActionConnections:DbConnection"] = connectionString;

            // Required with PostgreSQL (never generated): one per store, shared by its replicas.
            _settings["ActionConnections:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }
    }

    /// <summary>True on the PostgreSQL pass.</summary>
    public static bool IsPostgres => BaseConnection is not null;

    public static string Provider => IsPostgres ? PostgresDatabase.Provider : SqliteDatabase.Provider;

    /// <summary>The data directory (created by whoever first needs it; on PostgreSQL, usually nobody).</summary>
    public string DataDir { get; }

    public string? DatabaseName { get; }

    /// <summary>The PostgreSQL database's connection string (with its password); null on SQLite.</summary>
    public string? ConnectionString { get; }

    /// <summary><c>ActionConnections:*</c> settings that point a server or the CLI at this store (the data directory aside).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>A fresh, empty store: nothing created on SQLite, an empty database on PostgreSQL.</summary>
    public static TestStore Create()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N"));
        if (!IsPostgres)
        {
            return new TestStore(dataDir, null, null);
        }

        var name = $"ac_{Guid.NewGuid():N}";
        using (var create = Maintenance.Value.CreateCommand($"CREATE DATABASE {name};"))
        {
            create.ExecuteNonQuery();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(BaseConnection) { Database = name }.ConnectionString;
        return new TestStore(dataDir, name, connectionString);
    }

    /// <summary>How many migrations the store records as applied (0 when it has no schema).</summary>
    public async Task<long> AppliedMigrationsAsync()
    {
        if (IsPostgres)
        {
            await using var connection = await OpenPostgresAsync();
            await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL;", connection);
            if (await exists.ExecuteScalarAsync() is not true)
            {
                return 0;
            }

            await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations;", connection);
            return (long)(await count.ExecuteScalarAsync())!;
        }

        var file = Path.Combine(DataDir, SqliteDatabase.FileName);
        if (!File.Exists(file))
        {
            return 0;
        }

        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await sqlite.OpenAsync();
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';";
        if ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT COUNT(*) FROM schema_migrations;";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>True when nothing was written: no data directory, and on PostgreSQL no table in the database.</summary>
    public async Task<bool> IsUntouchedAsync()
    {
        if (Directory.Exists(DataDir))
        {
            return false;
        }

        if (!IsPostgres)
        {
            return true;
        }

        await using var connection = await OpenPostgresAsync();
        await using var tables = new NpgsqlCommand("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public';", connection);
        return (long)(await tables.ExecuteScalarAsync())! == 0;
    }

    /// <summary>
    /// Everything the store holds, as text, to search for what must never be stored (plaintext
    /// secrets and keys). SQLite: every byte of every file the server wrote in the data directory
    /// (database, WAL, shared memory, key file), deleted rows included. PostgreSQL: every row of
    /// every table, each as PostgreSQL's text form of the whole row, so every column is in it.
    /// Callers also assert that something they know is stored is found, so the search covers rows.
    /// </summary>
    public async Task<string> ReadStoredTextAsync()
    {
        if (!IsPostgres)
        {
            SqliteConnection.ClearAllPools();
            var files = Directory.GetFiles(DataDir, "*", SearchOption.AllDirectories);
            Assert.Contains(files, f => f.EndsWith(".db", StringComparison.Ordinal));
            var text = new StringBuilder();
            foreach (var file in files)
            {
                try
                {
                    await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    using var copy = new MemoryStream();
                    await stream.CopyToAsync(copy);
                    text.Append(Encoding.Latin1.GetString(copy.ToArray())).Append('\n');
                }
                catch (FileNotFoundException)
                {
                    // A -wal or -shm file SQLite removed when its last connection closed: its
                    // content is in the database file, which is read.
                }
            }

            return text.ToString();
        }

        await using var connection = await OpenPostgresAsync();
        var tableNames = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename;", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tableNames.Add(reader.GetString(0));
            }
        }

        Assert.Contains("connections", tableNames);
        var dump = new StringBuilder();
        foreach (var table in tableNames)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t;", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.Append(CultureInfo.InvariantCulture, $"{table}: {reader.GetString(0)}\n");
            }
        }

        return dump.ToString();
    }

    /// <summary>Runs a statement against the store directly, on either provider (to set up what the API cannot).</summary>
    public async Task ExecuteAsync(string sql)
    {
        if (IsPostgres)
        {
            await using var connection = await OpenPostgresAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return;
        }

        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDir, SqliteDatabase.FileName), Pooling = false }.ToString());
        await sqlite.OpenAsync();
        await using var statement = sqlite.CreateCommand();
        statement.CommandText = sql;
        await statement.ExecuteNonQueryAsync();
    }

    /// <summary>Opens a connection to the store's database (PostgreSQL only): for checks of the schema itself.</summary>
    public async Task<NpgsqlConnection> OpenPostgresAsync()
    {
        Assert.True(IsPostgres, "PostgreSQL pass only");
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (DatabaseName is not null)
        {
            // FORCE ends sessions a test may have left (a server's pool, a CLI run's).
            using var drop = Maintenance.Value.CreateCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE);");
            drop.ExecuteNonQuery();
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }
}
