using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Issue 11, item 8, on a real server process: generated bootstrap keys go to an owner-only file,
/// never to the output (which ends in logs); a master key file that group or others may access
/// stops the start, as ssh refuses such a private key.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class StartupHardeningTests
{
    [Theory]
    [Trait("Provider", "SQLite")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead, "0404")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite, "0620")]
    public async Task Serve_MasterKeyFileAccessibleByGroupOrOthers_RefusesWithOneLineAndExitCode2(UnixFileMode mode, string octal)
    {
        var dataDir = NewDataDir();
        try
        {
            Directory.CreateDirectory(dataDir);
            var keyFile = Path.Combine(dataDir, "master.key");
            await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
            File.SetUnixFileMode(keyFile, mode);

            var (exitCode, stdout, stderr) = await RunServeAsync(dataDir, [], until: null);

            Assert.Equal(2, exitCode);
            Assert.Equal(
                $"error: the master key file '{keyFile}' is accessible by group or others (mode {octal}); make it owner-only, e.g. chmod 600 '{keyFile}'.",
                stderr.TrimEnd('\n'));
            Assert.Equal(string.Empty, stdout);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    [Trait("Provider", "SQLite")]
    public async Task Serve_EmptyStoreWithoutBootstrapKeys_WritesKeysToAnOwnerOnlyFileAndNotToItsOutput()
    {
        var dataDir = NewDataDir();
        var keysFile = Path.Combine(Path.GetTempPath(), "ac-tests", $"{Guid.NewGuid():N}.env");
        try
        {
            var (_, stdout, stderr) = await RunServeAsync(dataDir, ["--bootstrap-keys-file", keysFile], until: text => text.Contains("Next step", StringComparison.Ordinal));

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysFile));
            var keys = (await File.ReadAllLinesAsync(keysFile)).Where(l => l.StartsWith("DD_", StringComparison.Ordinal)).Select(l => l.Split('=')[1]).ToList();
            Assert.Equal([32, 40], keys.Select(k => k.Length));
            Assert.Contains($"written to {keysFile} (owner-only)", stdout, StringComparison.Ordinal);
            foreach (var key in keys)
            {
                Assert.DoesNotContain(key, stdout + stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
            File.Delete(keysFile);
        }
    }

    private static string NewDataDir() => Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Runs <c>serve</c> over <paramref name="dataDir"/> without bootstrap keys in its environment,
    /// until it exits or its output satisfies <paramref name="until"/> (then it is killed).
    /// </summary>
    private static async Task<(int? ExitCode, string Stdout, string Stderr)> RunServeAsync(string dataDir, string[] arguments, Func<string, bool>? until)
    {
        var start = new ProcessStartInfo(ServerProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { ServerProcess.ServerDll, "serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ACTIONCONNECTIONS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ACTIONCONNECTIONS_DATA_DIR"] = dataDir;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!process.HasExited && DateTime.UtcNow < deadline && !(until?.Invoke(Text(stdout)) ?? false))
        {
            await Task.Delay(50);
        }

        int? exitCode = null;
        if (process.HasExited)
        {
            await process.WaitForExitAsync();
            exitCode = process.ExitCode;
        }
        else
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.True(until?.Invoke(Text(stdout)) ?? false, $"the server neither exited nor showed what was awaited: {Text(stdout)} {Text(stderr)}");
        }

        return (exitCode, Text(stdout), Text(stderr));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Append(line).Append('\n');
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
