using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// The server as a real, separate process (<c>dotnet ActionConnections.Server.dll serve</c>), as an
/// operator runs it: settings and keys in the environment, never on the command line. For tests
/// that must kill it (SIGKILL) or look at it from outside (<c>/proc/{pid}</c>).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private ServerProcess(Process process, Uri baseAddress, ConcurrentQueue<string> output, ServerKeys keys)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        Keys = keys;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };
        Client.DefaultRequestHeaders.Add("DD-API-KEY", keys.ApiKey);
        Client.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", keys.AppKey);
    }

    /// <summary>The server's build output, copied next to the tests by the project reference.</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "ActionConnections.Server.dll");

    public int Id => _process.Id;

    public Uri BaseAddress { get; }

    public ServerKeys Keys { get; }

    public HttpClient Client { get; }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the server over <paramref name="dataDir"/> on a free loopback port and waits until it
    /// answers an authenticated request. <paramref name="settings"/> are extra
    /// <c>ACTIONCONNECTIONS_*</c> variables; no other such variable of the test process is passed on
    /// (an unknown one stops the server, a real one would change what the test sees).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDir, ServerKeys keys, IReadOnlyDictionary<string, string>? settings = null)
    {
        Assert.True(File.Exists(ServerDll), $"{ServerDll} is missing: the test project must reference the server project.");
        var port = FreePort();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { ServerDll, "serve", "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ACTIONCONNECTIONS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ACTIONCONNECTIONS_DATA_DIR"] = dataDir;
        start.Environment["ACTIONCONNECTIONS_BOOTSTRAP_API_KEY"] = keys.ApiKey;
        start.Environment["ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY"] = keys.AppKey;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            // "" removes a variable the test process has, so the server cannot pick it up.
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var output = new ConcurrentQueue<string>();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), output, keys);
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the machine loses power or the OOM killer strikes.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as an orchestrator stops a container; returns the exit code, or null when the
    /// process has not exited within <paramref name="timeout"/>.
    /// </summary>
    public async Task<int?> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// The <c>ACTIONCONNECTIONS_*</c> variables that point a server process at <paramref name="store"/>
    /// (on PostgreSQL its database, master key and migration at start; on SQLite nothing beyond the data directory).
    /// </summary>
    public static Dictionary<string, string> EnvironmentOf(TestStore store)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in store.Settings)
        {
            var name = key[(key.IndexOf(':', StringComparison.Ordinal) + 1)..];
            environment[global::ActionConnections.Hosting.EnvironmentSettings.Names.Single(n => n.Value == name).Key] = value!;
        }

        if (TestStore.IsPostgres)
        {
            environment["ACTIONCONNECTIONS_DB_MIGRATE_ON_START"] = "true";
        }

        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>The host running these tests when it is <c>dotnet</c>; else the one the SDK names, else <c>dotnet</c> on the PATH.</summary>
    internal static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Collect(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync("/api/v2/actions/app_key_registrations");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"The server did not answer within 60 s:\n{Output}");
    }
}

/// <summary>The bootstrap keys a <see cref="ServerProcess"/> is given, fresh for each test.</summary>
internal sealed record ServerKeys(string ApiKey, string AppKey)
{
    public static ServerKeys New() => new(
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)));

    public override string ToString() => "ServerKeys { [redacted] }";
}
