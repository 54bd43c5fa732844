using ActionConnections.Hosting;
using ActionConnections.Settings;
using ActionConnections.Storage;
using ActionConnections.Tests.Foundation;
using ActionConnections.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ActionConnections.Tests.Storage;

/// <summary>
/// Choosing and preparing the database: settings validated at start, migrations applied by the
/// <c>migrate</c> verb (or at start when configured), once however many replicas run them, and
/// the bootstrap organisation created once however many replicas start together.
/// </summary>
public sealed class DatabaseSetupTests
{
    [Fact]
    public async Task Start_MigrateOnStartOff_SchemaBehind_FailsNamingTheMigrateVerb()
    {
        var settings = new Dictionary<string, string?> { ["ActionConnections:DbMigrateOnStart"] = "false" };

        var error = await Assert.ThrowsAsync<StartupException>(() => TestApp.StartAsync(settings));

        Assert.Contains($"schema is at version 0 and this build needs version {Migrations.All[^1].Version}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Run 'ActionConnections.Server migrate'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MigrateOnStartOff_AfterMigrateVerb_Serves()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("migrate")).ExitCode);
        var settings = new Dictionary<string, string?> { ["ActionConnections:DbMigrateOnStart"] = "false" };

        await using var app = await TestApp.StartAsync(settings, store: cli.Store);

        Assert.NotEqual(Guid.Empty, app.OrgId);
        Assert.Equal(200, (await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
    }

    [Fact]
    public async Task Start_SchemaNewerThanThisBuild_Fails()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("migrate")).ExitCode);
        await cli.Store.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0);");

        foreach (var migrateOnStart in new[] { "true", "false" })
        {
            var settings = new Dictionary<string, string?> { ["ActionConnections:DbMigrateOnStart"] = migrateOnStart };
            var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(settings, store: cli.Store));
            Assert.Contains("newer than this build knows", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Migrate_TwoRunsAtOnce_ApplyEachMigrationOnce()
    {
        using var cli = new CliHarness();

        var results = await Task.WhenAll(cli.RunAsync("migrate"), cli.RunAsync("migrate"));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(
            new[] { "Applied 0 migrations.", $"Applied {Migrations.All.Count} migrations." },
            results.Select(r => r.Stdout.Trim()).Order(StringComparer.Ordinal));
        Assert.Equal(Migrations.All.Count, await cli.Store.AppliedMigrationsAsync());
    }

    [Fact]
    public async Task Bootstrap_ReplicasStartingTogether_CreateOneOrganisation()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("migrate")).ExitCode);
        var store = cli.Store;
        var settings = new Dictionary<string, string?>(store.Settings)
        {
            ["ActionConnections:DataDir"] = store.DataDir,
            ["ActionConnections:DbMigrateOnStart"] = "false",
        };
        var replicas = Enumerable.Range(0, 6).Select(_ => Program.BuildServer([], builder => builder.Configuration.AddInMemoryCollection(settings))).ToList();
        try
        {
            // Built first, then initialised at the same moment: "is the store empty?" races
            // unless the start-up lock serialises it.
            using var go = new ManualResetEventSlim();
            var starts = replicas.Select(app => Task.Run(async () =>
            {
                go.Wait();
                return await app.Services.GetRequiredService<StoreInitializer>().InitializeAsync(CancellationToken.None);
            })).ToList();
            go.Set();
            var created = await Task.WhenAll(starts);

            Assert.Single(created, c => c is not null);
            var orgs = await CliHarness.RunWithSettingsAsync(store.Settings, "--data-dir", store.DataDir, "orgs", "list", "--json");
            Assert.True(orgs.ExitCode == 0, orgs.ToString());
            Assert.Equal(1, orgs.Json.GetArrayLength());
        }
        finally
        {
            foreach (var app in replicas)
            {
                await app.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Start_DatabaseUnreachable_FailsWithoutShowingThePassword()
    {
        var settings = BareServer.UnreachableDatabaseSettings();
        settings["ActionConnections:DbMigrateOnStart"] = "true";

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => BareServerInitializeAsync(settings));

        Assert.Equal("The PostgreSQL database could not be reached.", error.Message);
        Assert.DoesNotContain(BareServer.UnreachablePassword, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_DatabaseUnreachable_ExitsTwoWithoutShowingThePassword()
    {
        var settings = BareServer.UnreachableDatabaseSettings();

        var result = await CliHarness.RunWithSettingsAsync(settings, "orgs", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: The PostgreSQL database could not be reached.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(BareServer.UnreachablePassword, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_UnknownProvider_ExitsTwoListingAllowedValues()
    {
        var settings = new Dictionary<string, string?> { ["ActionConnections:DbProvider"] = "mysql" };

        var result = await CliHarness.RunWithSettingsAsync(settings, "--data-dir", Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N")), "migrate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ACTIONCONNECTIONS_DB_PROVIDER 'mysql' is not supported; allowed values: 'sqlite', 'postgres'.", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite", null, null, null)]
    [InlineData("postgres", "Host=db;Password=hunter2", "key", null)]
    [InlineData("postgres", "Host=db;Password=hunter2", "/run/secrets/master.key", null)]
    [InlineData("mysql", null, null, "allowed values: 'sqlite', 'postgres'")]
    [InlineData("postgres", null, "key", "ACTIONCONNECTIONS_DB_CONNECTION is required")]
    [InlineData("postgres", "Host=db;Password=hunter2", null, "ACTIONCONNECTIONS_MASTER_KEY or ACTIONCONNECTIONS_MASTER_KEY_FILE must be set")]
    [InlineData("postgres", "Password=hunter2", "key", "ACTIONCONNECTIONS_DB_CONNECTION has no Host")]
    [InlineData("postgres", "Host=db;Pasword=hunter2", "key", "ACTIONCONNECTIONS_DB_CONNECTION is not a valid Npgsql connection string")]
    [InlineData("sqlite", "Host=db;Password=hunter2", null, "ACTIONCONNECTIONS_DB_CONNECTION is only used with ACTIONCONNECTIONS_DB_PROVIDER 'postgres'")]
    public void Validate_DatabaseSettings(string provider, string? connection, string? masterKey, string? expectedError)
    {
        // Storage's settings and the master key rule of the secrets feature, as the server checks them at start.
        var failures = string.Join("; ", StartupSettingsTests.Failures(new()
        {
            ["ActionConnections:DbProvider"] = provider,
            ["ActionConnections:DbConnection"] = connection,
            ["ActionConnections:MasterKey"] = masterKey == "key" ? Convert.ToBase64String(new byte[32]) : null,
            ["ActionConnections:MasterKeyFile"] = masterKey?.StartsWith('/') == true ? masterKey : null,
        }));

        if (expectedError is null)
        {
            Assert.True(failures.Length == 0, failures);
        }
        else
        {
            Assert.Contains(expectedError, failures, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", failures, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sqlite", null, true)]
    [InlineData("postgres", null, false)]
    [InlineData("sqlite", false, false)]
    [InlineData("postgres", true, true)]
    public void MigratesOnStart_DefaultsByProvider(string provider, bool? setting, bool expected) =>
        Assert.Equal(expected, new StorageOptions { DbProvider = provider, DbMigrateOnStart = setting }.MigratesOnStart);

    [Fact]
    public void EnvironmentSettings_NameTheDatabaseSettings()
    {
        Assert.Equal(nameof(StorageOptions.DbProvider), EnvironmentSettings.Names["ACTIONCONNECTIONS_DB_PROVIDER"]);
        Assert.Equal(nameof(StorageOptions.DbConnection), EnvironmentSettings.Names["ACTIONCONNECTIONS_DB_CONNECTION"]);
        Assert.Equal(nameof(StorageOptions.DbMigrateOnStart), EnvironmentSettings.Names["ACTIONCONNECTIONS_DB_MIGRATE_ON_START"]);
    }

    [Theory]
    [InlineData("Host=db;Username=ac", "Timeout=5", "Command Timeout=10", "Max Auto Prepare=64")]
    [InlineData("Host=db;Timeout=2;Command Timeout=30;Max Auto Prepare=0", "Timeout=2", "Command Timeout=30", "Max Auto Prepare=0")]
    [InlineData("Host=db;timeout=3;CommandTimeout=4;maxautoprepare=8", "Timeout=3", "Command Timeout=4", "Max Auto Prepare=8")]
    public void ConnectionString_DefaultsUnlessGiven(string given, string timeout, string commandTimeout, string autoPrepare)
    {
        var effective = PostgresDatabase.WithDefaults(given);

        Assert.Contains(timeout, effective, StringComparison.Ordinal);
        Assert.Contains(commandTimeout, effective, StringComparison.Ordinal);
        Assert.Contains(autoPrepare, effective, StringComparison.Ordinal);
        Assert.Contains("Application Name=actionconnections", effective, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("08006", true)] // connection failure
    [InlineData("08001", true)]
    [InlineData("57P01", true)] // admin shutdown
    [InlineData("57P03", true)] // starting up
    [InlineData("53300", true)] // too many connections
    [InlineData("40001", true)] // serialization failure
    [InlineData("40P01", true)] // deadlock
    [InlineData("25006", true)] // read-only: fail-over in progress
    [InlineData("23505", false)] // unique violation: a bug, not an outage
    [InlineData("42P01", false)] // undefined table
    [InlineData("28P01", false)] // wrong password: configuration
    public async Task IsTransient_PostgresErrors(string sqlState, bool transient)
    {
        await using var db = new PostgresDatabase(Microsoft.Extensions.Options.Options.Create(new StorageOptions { DbProvider = PostgresDatabase.Provider, DbConnection = "Host=127.0.0.1;Port=1" }));

        Assert.Equal(transient, db.IsTransient(new Npgsql.PostgresException("message", "FATAL", "FATAL", sqlState)));
        Assert.True(db.IsTransient(new Npgsql.NpgsqlException("Exception while reading from stream", new IOException())));
        Assert.True(db.IsTransient(new Npgsql.NpgsqlException("The operation has timed out", new TimeoutException())));
        Assert.False(db.IsTransient(new InvalidOperationException()));
    }

    private static async Task BareServerInitializeAsync(Dictionary<string, string?> settings)
    {
        await using var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.Services.GetRequiredService<StoreInitializer>().InitializeAsync(CancellationToken.None);
    }
}
