using ActionConnections.Auth;
using ActionConnections.Gateway;
using ActionConnections.RateLimiting;
using ActionConnections.Secrets;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Hosting;

/// <summary>The <c>AddXxx</c> steps of <see cref="Program"/>, shared by the server and the admin CLI.</summary>
internal static class ServiceRegistration
{
    /// <summary>Settings: appsettings, then <c>ACTIONCONNECTIONS_*</c> variables; validated at start.</summary>
    public static IHostApplicationBuilder AddServerConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Configuration.AddActionConnectionsEnvironment();
        builder.Services.AddOptions<ServerOptions>()
            .Bind(builder.Configuration.GetSection(ServerOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IDatabase>(services =>
        {
            var options = services.GetRequiredService<IOptions<ServerOptions>>();
            return options.Value.DbProvider switch
            {
                SqliteDatabase.Provider => new SqliteDatabase(options),
                PostgresDatabase.Provider => new PostgresDatabase(options),
                var other => throw new StartupException($"ACTIONCONNECTIONS_DB_PROVIDER '{other}' is not supported."),
            };
        });
        builder.Services.AddSingleton<StoreInitializer>();
        return builder;
    }

    public static IHostApplicationBuilder AddSecrets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => MasterKeyLoader.Load(sp.GetRequiredService<IOptions<ServerOptions>>().Value));
        builder.Services.AddSingleton<ISecretProtector, AesGcmSecretProtector>();
        builder.Services.AddSingleton<ServerInstanceStore>();
        return builder;
    }

    /// <summary>The server records, in the database, the master key it writes with, and refreshes it (ADR 0012).</summary>
    public static IHostApplicationBuilder AddServerInstanceHeartbeat(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ServerInstanceHeartbeat>();
        return builder;
    }

    public static IHostApplicationBuilder AddApiGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FixedWindowRateLimiter>();
        builder.Services.AddSingleton<AuthenticationCache>();
        builder.Services.AddSingleton<AuthenticationFailures>();
        builder.Services.AddHostedService(static services => services.GetRequiredService<AuthenticationFailures>());
        return builder;
    }

    public static WebApplication UseApiGateway(this WebApplication app)
    {
        app.UseWhen(
            ctx => ctx.Request.Path.StartsWithSegments("/api/v2", StringComparison.OrdinalIgnoreCase),
            branch => branch.UseMiddleware<ApiGatewayMiddleware>());
        return app;
    }
}
