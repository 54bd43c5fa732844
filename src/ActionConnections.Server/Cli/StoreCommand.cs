using System.CommandLine;
using System.CommandLine.Parsing;
using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ActionConnections.AppKeyRegistrations;
using ActionConnections.Audit;
using ActionConnections.Connections;
using ActionConnections.Hosting;
using ActionConnections.Identity;
using ActionConnections.Observability;
using ActionConnections.Secrets;
using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cli;

/// <summary>
/// Runs an administrative verb against the configured store: the server's configuration
/// (appsettings, <c>ACTIONCONNECTIONS_*</c>, then <c>--data-dir</c>), its storage registrations,
/// and pending migrations applied first. No bootstrap organisation is created from here.
/// </summary>
internal sealed class StoreCommand(Option<string?> dataDir, IReadOnlyDictionary<string, string?>? settings = null)
{
    public void SetAction(Command command, Func<ParseResult, StoreContext, CancellationToken, Task<int>> verb) =>
        command.SetAction((parse, ct) => RunAsync(parse, verb, migrate: true, ct));

    /// <summary>
    /// For verbs that must see the store exactly as it is (<c>store backup</c>, <c>restore</c>,
    /// <c>verify</c>): no migration first, and the database is opened only if the verb asks for it.
    /// </summary>
    public void SetActionWithoutMigrating(Command command, Func<ParseResult, StoreContext, CancellationToken, Task<int>> verb) =>
        command.SetAction((parse, ct) => RunAsync(parse, verb, migrate: false, ct));

    /// <summary>Makes <c>--data-dir</c> win over every other configuration source.</summary>
    public static void OverrideDataDir(IHostApplicationBuilder builder, string? dataDir)
    {
        if (dataDir is not null)
        {
            builder.Configuration.AddInMemoryCollection([new($"{FeatureOptions.Section}:{nameof(StorageOptions.DataDir)}", dataDir)]);
        }
    }

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, StoreContext, CancellationToken, Task<int>> verb, bool migrate, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        IHost host;
        int applied;
        try
        {
            host = BuildHost(parse.GetValue(dataDir), settings);
        }
        catch (InvalidSettingsException e)
        {
            return ConfigurationErrors(error, e.Failures);
        }
        catch (Exception e) when (e is StartupException or InvalidDataException or FormatException or InvalidOperationException)
        {
            // An unknown ACTIONCONNECTIONS_* variable, an appsettings file that does not parse, or
            // a setting that does not convert to its type.
            return ConfigurationError(error, e.Message);
        }

        using (host)
        {
            IDatabase? db = null;
            try
            {
                if (migrate)
                {
                    db = host.Services.GetRequiredService<IDatabase>();
                    applied = await db.MigrateAsync(cancellationToken);
                }
                else
                {
                    applied = 0;
                }
            }
            catch (Exception e) when (e is StartupException or OptionsValidationException or StoreUnavailableException or InvalidOperationException)
            {
                return ConfigurationError(error, e.InnerException is { } inner && e is StoreUnavailableException ? $"{e.Message} {inner.Message}" : e.Message);
            }
            catch (DbException e)
            {
                // E.g. authentication refused; Npgsql's messages never hold the password.
                return ConfigurationError(error, $"the database cannot be used: {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ConfigurationError(error, $"the data directory cannot be used: {e.Message}");
            }

            try
            {
                return await verb(parse, new StoreContext(host.Services, output, error, applied), cancellationToken);
            }
            catch (Exception e) when (e is StoreUnavailableException || (db is not null && db.IsTransient(e)))
            {
                return ConfigurationError(error, e is StoreUnavailableException ? e.Message : "the database could not be reached.");
            }
        }
    }

    private static IHost BuildHost(string? dataDir, IReadOnlyDictionary<string, string?>? settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,

            // The server's web host reads ASPNETCORE_ENVIRONMENT; read the same appsettings.{env}.json.
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"),
        });

        // stdout carries the verb's output (one JSON line with --json); errors are reported by the verbs.
        builder.Logging.ClearProviders();
        builder.AddServerConfiguration();
        builder.Services.AddActionConnectionsMetrics();
        builder.AddStorage();
        builder.AddIdentity();
        builder.AddAudit();
        builder.AddAppKeyRegistrations();
        builder.AddConnections();
        builder.AddSecretRotation();

        // Registered so the container is the server's. Only the secrets verbs resolve them, so the
        // other verbs never generate a master key the server might not use.
        builder.AddSecrets();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        OverrideDataDir(builder, dataDir);

        // Every feature's settings, all problems at once, as the server checks them at start.
        FeatureOptions.ValidateAll(builder);
        return builder.Build();
    }

    private static int ConfigurationErrors(TextWriter error, IReadOnlyList<string> messages)
    {
        foreach (var message in messages)
        {
            error.WriteLine($"error: {message}");
        }

        return ExitCodes.Configuration;
    }

    private static int ConfigurationError(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        return ExitCodes.Configuration;
    }
}

/// <summary>What a verb runs with: the store's services and the command's output streams.</summary>
internal sealed class StoreContext(IServiceProvider services, TextWriter output, TextWriter error, int migrationsApplied)
{
    // Resolved on use: resolving a store opens the database (on SQLite, creates its file), which
    // 'store restore' must not do before it has checked the data directory.

    public IIdentityStore Identity => Services.GetRequiredService<IIdentityStore>();

    public AuditRecorder Audit => Services.GetRequiredService<AuditRecorder>();

    /// <summary>Every change to the store goes through here, with its audit event.</summary>
    public AuditedWrites Writes => Services.GetRequiredService<AuditedWrites>();

    public IAuditLog AuditLog => Services.GetRequiredService<IAuditLog>();

    /// <summary>The store's services, for verbs that need more than identity and audit.</summary>
    public IServiceProvider Services { get; } = services;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public int MigrationsApplied { get; } = migrationsApplied;

    /// <summary>Reports a usage or not-found error; returns the exit code to return.</summary>
    public int Fail(string message)
    {
        Error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) => Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));

    /// <summary>The organisation, or null after reporting that it does not exist.</summary>
    public async Task<Organization?> FindOrganizationAsync(Guid orgId, CancellationToken cancellationToken)
    {
        var org = await Identity.FindOrganizationAsync(orgId, cancellationToken);
        if (org is null)
        {
            Fail($"no organisation with id {orgId:D}.");
        }

        return org;
    }

    /// <summary>The principal of the organisation, or null after reporting that it does not exist.</summary>
    public async Task<Principal?> FindPrincipalAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken)
    {
        var principal = await Identity.FindPrincipalAsync(orgId, principalId, cancellationToken);
        if (principal is null)
        {
            Fail($"no user or service account with id {principalId:D} in organisation {orgId:D}.");
        }

        return principal;
    }
}

/// <summary>Options shared by several verbs, with parsing that reports bad input as usage errors.</summary>
internal static class CliOptions
{
    public static Option<Guid> Id(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "uuid",
        Required = true,
        CustomParser = result => ParseGuid(result, name),
    };

    public static Option<Guid> Org() => Id("--org", "Organisation id.");

    public static Option<string> Name(string description) => new("--name")
    {
        Description = description,
        Required = true,
        CustomParser = static result =>
        {
            var text = result.Tokens[0].Value.Trim();
            if (text.Length == 0)
            {
                result.AddError("--name must not be empty.");
            }

            return text;
        },
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Write JSON instead of text.",
    };

    private static Guid ParseGuid(ArgumentResult result, string name)
    {
        var text = result.Tokens[0].Value;
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        result.AddError($"{name}: '{text}' is not a valid UUID.");
        return default;
    }
}
