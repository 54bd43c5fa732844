using ActionConnections.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A server started without the store initialisation <see cref="TestApp"/> does, over a
/// PostgreSQL database that cannot be reached (nothing listens on 127.0.0.1 port 1): what a
/// replica serves while its database is down. Needs no PostgreSQL, so it runs on every pass.
/// </summary>
internal sealed class BareServer : IAsyncDisposable
{
    public const string UnreachablePassword = "pw-that-must-never-be-logged";

    public const string UnreachableConnection = $"Host=127.0.0.1;Port=1;Username=ac;Password={UnreachablePassword};Database=ac";

    private readonly WebApplication _app;

    private BareServer(WebApplication app, Uri baseAddress, CapturedLogs logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
    }

    public Uri BaseAddress { get; }

    public CapturedLogs Logs { get; }

    /// <summary>Settings of a PostgreSQL server whose database is unreachable.</summary>
    public static Dictionary<string, string?> UnreachableDatabaseSettings() => new()
    {
        ["ActionConnections:DbProvider"] = PostgresDatabase.Provider,
        ["ActionConnections:DbConnection"] = UnreachableConnection,
        ["ActionConnections:MasterKey"] = Convert.ToBase64String(new byte[32]),
        ["ActionConnections:DataDir"] = Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N")),
    };

    public static async Task<BareServer> StartAsync(IDictionary<string, string?> settings)
    {
        var logs = new CapturedLogs();
        var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BareServer(app, new Uri(address), logs);
    }

    public HttpClient CreateClient(string? apiKey = TestApp.ApiKey, string? appKey = TestApp.AppKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);
        }

        if (appKey is not null)
        {
            client.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", appKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
