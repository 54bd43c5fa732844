using System.Text.Json;
using ActionConnections.Cli;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// Runs the admin CLI in-process over a fresh store of its own (<see cref="TestStore"/>: a data
/// directory given as <c>--data-dir</c>, plus a database of its own on the PostgreSQL pass), with
/// its output captured. A server can be started over the same store to check what the CLI did.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    public TestStore Store { get; } = TestStore.Create();

    public string DataDir => Store.DataDir;

    public Task<CliResult> RunAsync(params string[] args) => RunWithoutDataDirAsync(["--data-dir", DataDir, .. args]);

    /// <summary>Runs exactly the given command line, without this harness's <c>--data-dir</c> (its store's other settings still apply).</summary>
    public Task<CliResult> RunWithoutDataDirAsync(params string[] args) => RunWithSettingsAsync(Store.Settings, args);

    /// <summary>Runs a command line with the given settings standing where the environment would.</summary>
    public static async Task<CliResult> RunWithSettingsAsync(IReadOnlyDictionary<string, string?> settings, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await AdminCli.RunAsync(args, stdout, stderr, settings);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command that must succeed with <c>--json</c> and returns its parsed output.</summary>
    public async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json;
    }

    public async Task<CreatedOrg> CreateOrgAsync(string name = "Acme")
    {
        var json = await RunJsonAsync("orgs", "create", "--name", name);
        return new CreatedOrg(
            json.GetProperty("org_id").GetGuid(),
            json.GetProperty("admin_id").GetGuid(),
            json.GetProperty("api_key").GetString()!,
            json.GetProperty("app_key").GetString()!,
            json.GetProperty("app_key_id").GetGuid());
    }

    /// <summary>A server over this store, which the CLI has already initialised (no bootstrap keys).</summary>
    public Task<TestApp> StartServerAsync() => TestApp.StartAsync(bootstrapKeys: false, store: Store);

    public void Dispose() => Store.Dispose();
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

internal sealed record CreatedOrg(Guid OrgId, Guid AdminId, string ApiKey, string AppKey, Guid AppKeyId)
{
    public override string ToString() => $"CreatedOrg {{ OrgId = {OrgId}, keys = [redacted] }}";
}
