using System.CommandLine;
using ActionConnections.Hosting;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cli;

internal static class AdminCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("ActionConnections: a self-hosted, wire-compatible Datadog Action Connection API.");
        var serve = new Command("serve", "Run the HTTP server (ASP.NET Core options such as --urls pass through).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction((parse, ct) => ServeAsync([.. parse.UnmatchedTokens], ct));
        root.Subcommands.Add(serve);
        return await root.Parse(args).InvokeAsync();
    }

    public static async Task<int> ServeAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            var app = Program.BuildServer(args);
            var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
            var created = await app.Services.GetRequiredService<StoreInitializer>().InitializeAsync(cancellationToken);
            if (created is not null)
            {
                StoreInitializer.Announce(created, options.BootstrapApiKey is not null, Console.Out);
            }

            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (e is StartupException or OptionsValidationException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
    }
}
