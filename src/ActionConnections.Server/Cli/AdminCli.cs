using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Data.Common;
using ActionConnections.Hosting;
using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cli;

/// <summary>
/// The command line: <c>serve</c> runs the server; the other verbs administer the configured store
/// directly (<see cref="StoreCommand"/>). Running with no verb prints help and exits 1: starting a
/// server that listens on the network should be asked for, never a default.
/// </summary>
internal static class AdminCli
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs one command line with its output captured, as the tests do; <paramref name="settings"/>
    /// (<c>ActionConnections:*</c> keys) stand where the environment would, e.g. a test database.
    /// </summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var parse = BuildRoot(settings).Parse(args);
        if (parse.Action is ParseErrorAction parseError)
        {
            // The errors alone, on stderr: full help on stdout would bury them and corrupt --json output.
            parseError.ShowHelp = false;
        }

        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr };
        if (parse.CommandResult.Command.Name == "serve")
        {
            // The host handles SIGTERM itself (drain, then exit 0); System.CommandLine's own
            // handling would end the process after 2 s with exit code 143.
            invocation.ProcessTerminationTimeout = null;
        }

        var exitCode = await parse.InvokeAsync(invocation);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"Run '{CommandPath(parse.CommandResult)}--help' for usage.");
        }

        return exitCode;
    }

    /// <summary>A fresh command tree per run: option objects are not shared between parses.</summary>
    private static RootCommand BuildRoot(IReadOnlyDictionary<string, string?>? settings)
    {
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Data directory; overrides ACTIONCONNECTIONS_DATA_DIR and appsettings.",
            HelpName = "path",
            Recursive = true,
        };
        var store = new StoreCommand(dataDir, settings);
        var root = new RootCommand("ActionConnections: a self-hosted, wire-compatible Datadog Action Connection API.");
        root.Options.Add(dataDir);
        root.SetAction(static parse =>
        {
            new HelpAction().Invoke(parse);
            return ExitCodes.Usage;
        });
        root.Subcommands.Add(Serve(dataDir));
        root.Subcommands.Add(Migrate(store));
        root.Subcommands.Add(OrgCommands.Build(store));
        root.Subcommands.Add(UserCommands.Build(store));
        root.Subcommands.Add(ApiKeyCommands.Build(store));
        root.Subcommands.Add(AppKeyCommands.Build(store));
        root.Subcommands.Add(AuditCommands.Build(store));
        root.Subcommands.Add(SecretCommands.Build(store));
        root.Subcommands.Add(StoreVerbs.Build(store));
        return root;
    }

    /// <summary>"users create " for <c>users create</c>; empty for the root command.</summary>
    private static string CommandPath(CommandResult? command)
    {
        var names = new List<string>();
        for (; command?.Parent is CommandResult parent; command = parent)
        {
            names.Insert(0, command.Command.Name + " ");
        }

        return string.Concat(names);
    }

    private static Command Serve(Option<string?> dataDir)
    {
        var serve = new Command("serve", "Run the HTTP server (ASP.NET Core options such as --urls pass through).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var keysFile = new Option<string?>("--bootstrap-keys-file")
        {
            Description = "Where keys generated for an empty store are written (owner-only); default {DataDir}/bootstrap-keys.env. Overrides ACTIONCONNECTIONS_BOOTSTRAP_KEYS_FILE.",
            HelpName = "path",
        };
        serve.Options.Add(keysFile);
        serve.SetAction((parse, ct) =>
        {
            var args = new List<string>(parse.UnmatchedTokens);
            if (parse.GetValue(keysFile) is { } path)
            {
                // Command-line configuration: it takes precedence over appsettings and the environment.
                args.Add($"--{FeatureOptions.Section}:{nameof(BootstrapOptions.BootstrapKeysFile)}={path}");
            }

            return ServeAsync([.. args], parse.GetValue(dataDir), ct);
        });
        return serve;
    }

    private static Command Migrate(StoreCommand store)
    {
        var migrate = new Command("migrate", "Apply pending database migrations (every other verb does this first too).");
        store.SetAction(migrate, static (_, context, _) =>
        {
            context.Out.WriteLine(context.MigrationsApplied == 1 ? "Applied 1 migration." : $"Applied {context.MigrationsApplied} migrations.");
            return Task.FromResult(ExitCodes.Success);
        });
        return migrate;
    }

    public static async Task<int> ServeAsync(string[] args, string? dataDir, CancellationToken cancellationToken)
    {
        try
        {
            var app = Program.BuildServer(args, builder => StoreCommand.OverrideDataDir(builder, dataDir));
            var bootstrap = app.Services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
            var created = await app.Services.GetRequiredService<StoreInitializer>().InitializeAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            if (created is not null)
            {
                // Generated keys go to an owner-only file, never to the console (which ends in logs).
                string? keysFile = null;
                if (bootstrap.BootstrapApiKey is null)
                {
                    keysFile = BootstrapKeysFile.PathOf(bootstrap, app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir);
                    BootstrapKeysFile.Write(created, keysFile);
                }

                // After the start, so the next step names the address the server really listens on.
                var address = app.Urls.FirstOrDefault() ?? "http://localhost:5000";
                StoreInitializer.Announce(created, keysFile, Console.Out, address);
            }

            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Success;
        }
        catch (InvalidSettingsException e)
        {
            foreach (var failure in e.Failures)
            {
                await Console.Error.WriteLineAsync($"error: {failure}");
            }

            return ExitCodes.Configuration;
        }
        catch (Exception e) when (e is StartupException or OptionsValidationException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Configuration;
        }
        catch (Exception e) when (e is StoreUnavailableException or DbException)
        {
            // Npgsql's messages name the host and the SQLSTATE, never the password.
            await Console.Error.WriteLineAsync($"error: the database cannot be used: {(e.InnerException ?? e).Message}");
            return ExitCodes.Configuration;
        }
    }
}

/// <summary>The process exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad usage, invalid input, or the named organisation, principal or key does not exist.</summary>
    public const int Usage = 1;

    /// <summary>The configuration is invalid or the store cannot be opened.</summary>
    public const int Configuration = 2;
}
