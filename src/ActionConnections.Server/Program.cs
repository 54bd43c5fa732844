using ActionConnections.AppKeyRegistrations;
using ActionConnections.Audit;
using ActionConnections.Cli;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Health;
using ActionConnections.Hosting;
using ActionConnections.KeyManagement;
using ActionConnections.OpenApi;
using ActionConnections.WebConsole;

namespace ActionConnections;

/// <summary>One executable: <c>serve</c> runs the server; the other verbs administer the store (<see cref="AdminCli"/>).</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => AdminCli.RunAsync(args);

    /// <summary>The server, as a table of contents. Tests build it the same way with their own settings.</summary>
    public static WebApplication BuildServer(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddServerConfiguration();
        builder.AddHttpLimits();
        builder.AddStorage();
        builder.AddSecrets();
        builder.AddApiGateway();
        builder.AddConnections();
        builder.AddAudit();
        builder.AddHealth();
        builder.AddConsole();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseErrorPipeline();
        app.UseApiGateway();
        app.UseConsole();
        app.MapAppKeyRegistrations();
        app.MapKeyManagement();
        app.MapConnections();
        app.MapAudit();
        app.MapOpenApiDocument();
        app.MapHealth();
        app.MapConsole();
        return app;
    }
}
