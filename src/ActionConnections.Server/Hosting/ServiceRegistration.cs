using ActionConnections.Settings;

namespace ActionConnections.Hosting;

/// <summary>The composition's own <c>AddXxx</c> steps, shared by the server and the admin CLI; each feature registers itself.</summary>
internal static class ServiceRegistration
{
    /// <summary>
    /// Settings: appsettings, then the <c>ACTIONCONNECTIONS_*</c> variables every feature declares
    /// (<see cref="EnvironmentSettings"/>); each feature binds and validates its own options.
    /// </summary>
    public static IHostApplicationBuilder AddServerConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Configuration.AddActionConnectionsEnvironment();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>First start: migrations, and the default organisation with its keys when the store is empty.</summary>
    public static IHostApplicationBuilder AddBootstrap(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<BootstrapOptions, BootstrapOptionsValidator>();
        builder.Services.AddSingleton<StoreInitializer>();
        return builder;
    }
}
