using ActionConnections.Settings;
using ActionConnections.Storage;

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Bench.Seeder;

/// <summary>
/// The server's services, wired by the server's own <c>Program.BuildServer</c> from the same
/// <c>ACTIONCONNECTIONS_*</c> settings the server reads, but never listening.
/// </summary>
internal static class ServerServices
{
    public static WebApplication Build(bool bulkLoad) =>
        global::ActionConnections.Program.BuildServer([], builder =>
        {
            // The stores log each create; a million of those lines would time the console.
            builder.Logging.ClearProviders();

            // Bulk loading relaxes SQLite only. PostgreSQL (ACTIONCONNECTIONS_DB_PROVIDER=postgres)
            // keeps the server's own IDatabase unchanged: every seeded row is a durable commit, as
            // the server makes it. bench/run.sh seeds PostgreSQL with 1,000 rows, a few seconds; a
            // million would want synchronous_commit=off (Npgsql's "Options=-c synchronous_commit=off")
            // and a CHECKPOINT at the end, the counterpart of BulkLoadDatabase.
            if (bulkLoad && IsSqlite(builder.Configuration[$"{FeatureOptions.Section}:{nameof(StorageOptions.DbProvider)}"]))
            {
                builder.Services.AddSingleton<SqliteDatabase>();
                builder.Services.AddSingleton<BulkLoadDatabase>();
                builder.Services.Replace(ServiceDescriptor.Singleton<IDatabase>(sp => sp.GetRequiredService<BulkLoadDatabase>()));
            }
        });

    /// <summary>Whether the configured provider, as the server's options bind it, is SQLite (its default when unset).</summary>
    private static bool IsSqlite(string? provider) => (provider ?? SqliteDatabase.Provider) == SqliteDatabase.Provider;
}
