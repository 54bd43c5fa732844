using ActionConnections.Settings;
using ActionConnections.WebConsole.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole;

/// <summary>Where the console's pages are.</summary>
internal static class ConsoleRoutes
{
    public const string Base = "/console";
    public const string SignIn = "/console/sign-in";
    public const string SignOut = "/console/sign-out";
    public const string Connections = "/console/connections";
    public const string NewConnection = "/console/connections/new";
    public const string Registrations = "/console/app-key-registrations";
    public const string Audit = "/console/audit";

    public static string Connection(Guid id) => $"{Connections}/{id:D}";

    public static string EditConnection(Guid id) => $"{Connections}/{id:D}/edit";

    public static string DeleteConnection(Guid id) => $"{Connections}/{id:D}/delete";
}

/// <summary>
/// The web console (ADR 0017): Razor Pages rendered on the server, served by the same process
/// under <c>/console</c>, every asset embedded in the server. Its middleware runs for console
/// paths only, so the API's request path is unchanged.
/// </summary>
internal static class ConsoleSetup
{
    public static IHostApplicationBuilder AddConsole(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<ConsoleOptions, ConsoleOptionsValidator>();
        builder.Services.AddDataProtection().SetApplicationName("ActionConnections");
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>, DatabaseKeyRing>();
        builder.Services.AddSingleton<ConsoleSessions>();
        // The pages are compiled into this assembly; named explicitly so a host that is not the
        // entry assembly (the test suite) finds them too.
        builder.Services.AddRazorPages(options => options.RootDirectory = "/WebConsole/Pages")
            .AddApplicationPart(typeof(ConsoleSetup).Assembly);
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "ac_console_antiforgery";
            options.Cookie.Path = ConsoleRoutes.Base;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__antiforgery";

            // The console sends its own, stricter frame-ancestors policy.
            options.SuppressXFrameOptionsHeader = true;
        });

        // Data Protection warms its key ring in a hosted service at start; ours is in the
        // database, so a server starting while the database is down would log an error the API
        // never causes (it starts and reports the database through /health/ready). The ring is
        // read on the first console request instead. Removed last: AddRazorPages and
        // AddAntiforgery call AddDataProtection again, which adds the hosted service back.
        var dataProtection = typeof(KeyManagementOptions).Assembly;
        foreach (var warmUp in builder.Services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType is { Name: "DataProtectionHostedService" } type && type.Assembly == dataProtection).ToList())
        {
            builder.Services.Remove(warmUp);
        }

        return builder;
    }

    public static WebApplication UseConsole(this WebApplication app)
    {
        app.UseWhen(
            ctx => ctx.Request.Path.StartsWithSegments(ConsoleRoutes.Base, StringComparison.OrdinalIgnoreCase),
            branch => branch.UseMiddleware<ConsoleMiddleware>());
        return app;
    }

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => TypedResults.Redirect(ConsoleRoutes.Base)).ExcludeFromDescription();
        routes.MapGet(ConsoleRoutes.Base, () => TypedResults.Redirect(ConsoleRoutes.Connections)).ExcludeFromDescription();
        routes.MapGet($"{ConsoleRoutes.Base}/assets/{{name}}", ConsoleAssets.Serve).ExcludeFromDescription();
        routes.MapRazorPages();
        return routes;
    }
}
