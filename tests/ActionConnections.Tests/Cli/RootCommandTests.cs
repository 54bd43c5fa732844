using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Cli;

public sealed class RootCommandTests
{
    [Fact]
    public async Task NoVerb_PrintsHelp_ExitsOne()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        foreach (var verb in new[] { "serve", "migrate", "orgs", "users", "api-keys", "app-keys" })
        {
            Assert.Contains(verb, result.Stdout, StringComparison.Ordinal);
        }

        Assert.True(await cli.Store.IsUntouchedAsync(), "printing help must not touch the store");
    }

    [Fact]
    public async Task UnknownVerb_ReportsErrorOnStderr_ExitsOne()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("frobnicate");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("frobnicate", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupWithoutSubcommand_ExitsOne()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("orgs");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("orgs --help", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_EmptyStore_AppliesEveryMigration()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("migrate");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"Applied {Migrations.All.Count} migrations.", result.Stdout.Trim());
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Equal(Migrations.All.Count, await cli.Store.AppliedMigrationsAsync());
    }

    [Fact]
    public async Task Migrate_SecondRun_AppliesNone()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("migrate")).ExitCode);
        var result = await cli.RunAsync("migrate");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Applied 0 migrations.", result.Stdout.Trim());
    }

    [Fact]
    public async Task Migrate_NoOrganisation_CreatesNoBootstrapOrganisation()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("migrate")).ExitCode);
        var orgs = await cli.RunJsonAsync("orgs", "list");
        Assert.Equal(0, orgs.GetArrayLength());
    }

    [Fact]
    public async Task StoreVerb_StoreCannotBeOpened_ExitsTwo()
    {
        using var cli = new CliHarness();
        CliResult result;
        if (TestStore.IsPostgres)
        {
            // Nothing listens on port 1: the database cannot be reached.
            var settings = new Dictionary<string, string?>(cli.Store.Settings)
            {
                ["ActionConnections:DbConnection"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=not-logged-anywhere;Database=none",
            };
            result = await CliHarness.RunWithSettingsAsync(settings, "--data-dir", cli.DataDir, "orgs", "list");
            Assert.DoesNotContain("not-logged-anywhere", result.Stderr, StringComparison.Ordinal);
        }
        else
        {
            // The data directory is a file.
            Directory.CreateDirectory(Path.GetDirectoryName(cli.DataDir)!);
            await File.WriteAllTextAsync(cli.DataDir, "not a directory");
            try
            {
                result = await cli.RunAsync("orgs", "list");
            }
            finally
            {
                File.Delete(cli.DataDir);
            }
        }

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task StoreVerb_EmptyDataDir_ExitsTwoWithSettingName()
    {
        using var cli = new CliHarness();
        var result = await cli.RunWithoutDataDirAsync("--data-dir", "", "orgs", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ACTIONCONNECTIONS_DATA_DIR must not be empty", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task DataDir_AfterVerb_IsAccepted()
    {
        using var cli = new CliHarness();
        var result = await cli.RunWithoutDataDirAsync("migrate", "--data-dir", cli.DataDir);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Migrations.All.Count, await cli.Store.AppliedMigrationsAsync());
        if (!TestStore.IsPostgres)
        {
            // Where the option said: the SQLite database lives in the data directory.
            Assert.True(File.Exists(Path.Combine(cli.DataDir, SqliteDatabase.FileName)));
        }
    }
}
