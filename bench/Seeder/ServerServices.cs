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
            if (bulkLoad)
            {
                builder.Services.AddSingleton<SqliteDatabase>();
                builder.Services.AddSingleton<BulkLoadDatabase>();
                builder.Services.Replace(ServiceDescriptor.Singleton<IDatabase>(sp => sp.GetRequiredService<BulkLoadDatabase>()));
            }
        });
}
