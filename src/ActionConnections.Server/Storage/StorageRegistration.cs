using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Storage;

internal static class StorageRegistration
{
    /// <summary>The database of the configured provider, and its settings.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<StorageOptions, StorageOptionsValidator>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<StorageMetrics>();
        builder.Services.AddSingleton<IDatabase>(services =>
        {
            var options = services.GetRequiredService<IOptions<StorageOptions>>();
            return options.Value.DbProvider switch
            {
                SqliteDatabase.Provider => new SqliteDatabase(options, services.GetRequiredService<StorageMetrics>()),
                PostgresDatabase.Provider => new PostgresDatabase(options),
                var other => throw new StartupException($"ACTIONCONNECTIONS_DB_PROVIDER '{other}' is not supported."),
            };
        });
        return builder;
    }
}
