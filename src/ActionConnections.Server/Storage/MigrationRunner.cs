using System.Data.Common;
using System.Globalization;

namespace ActionConnections.Storage;

/// <summary>
/// Applies <see cref="Migrations.All"/> inside a transaction the provider opened (and locked):
/// the bookkeeping table, the version check and each pending step, the same on every provider.
/// </summary>
internal static class MigrationRunner
{
    /// <summary>Schema changes may take longer than a request's command timeout.</summary>
    private const int CommandTimeoutSeconds = 300;

    public static int LatestVersion => Migrations.All[^1].Version;

    public static async Task<int> ApplyAsync(DbConnection connection, DbTransaction tx, string provider, CancellationToken cancellationToken)
    {
        await using (var create = Command(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);", tx))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var current = await CurrentVersionAsync(connection, tx, cancellationToken);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException($"The database schema is version {current}, newer than this build knows ({LatestVersion}). Run a newer build.");
        }

        var applied = 0;
        foreach (var (version, name, sql) in Migrations.All.Where(m => m.Version > current))
        {
            await using (var step = Command(connection, Migrations.SqlFor(provider, version, sql), tx))
            {
                await step.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = Command(connection, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t);", tx)
                .With("@v", (long)version).With("@n", name).With("@t", DateTimeOffset.UtcNow))
            {
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            applied++;
        }

        return applied;
    }

    /// <summary>The newest applied version; the bookkeeping table must exist.</summary>
    public static async Task<long> CurrentVersionAsync(DbConnection connection, DbTransaction? tx, CancellationToken cancellationToken)
    {
        await using var max = connection.Command("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;", tx);
        return Convert.ToInt64(await max.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static DbCommand Command(DbConnection connection, string sql, DbTransaction tx)
    {
        var command = connection.Command(sql, tx);
        command.CommandTimeout = CommandTimeoutSeconds;
        return command;
    }
}
