using ActionConnections.Access;
using ActionConnections.AppKeyRegistrations;
using ActionConnections.Audit;
using ActionConnections.Cli;
using ActionConnections.Cloud;
using ActionConnections.Connections;
using ActionConnections.Egress;
using ActionConnections.Errors;
using ActionConnections.Health;
using ActionConnections.Hosting;
using ActionConnections.HttpRequests;
using ActionConnections.Identity;
using ActionConnections.KeyManagement;
using ActionConnections.Observability;
using ActionConnections.OpenApi;
using ActionConnections.Overload;
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
        builder.AddOverloadProtection();
        builder.AddErrorPipeline();
        builder.AddStorage();
        builder.AddIdentity();
        builder.AddSecrets();
        builder.AddServerInstanceHeartbeat();
        builder.AddApiGateway();
        builder.AddAudit();
        builder.AddAppKeyRegistrations();
        builder.AddConnections();
        builder.AddEgress();
        builder.AddHttpRequests();
        builder.AddCloudCredentials();
        builder.AddAccess();
        builder.AddHealth();
        builder.AddConsole();
        configure?.Invoke(builder);

        // After configure: which telemetry to register is decided from the final configuration.
        builder.AddObservability();

        var app = builder.Build();
        app.UseObservability();
        app.UseErrorPipeline();
        app.UseOverloadProtection();
        app.UseApiGateway();
        app.UseConsole();
        app.MapAppKeyRegistrations();
        app.MapKeyManagement();
        app.MapConnections();
        app.MapCloudCredentials();
        app.MapHttpRequests();
        app.MapRestrictionPolicies();
        app.MapDirectory();
        app.MapResolve();
        app.MapAudit();
        app.MapOpenApiDocument();
        app.MapHealth();
        app.MapConsole();
        return app;
    }
}
