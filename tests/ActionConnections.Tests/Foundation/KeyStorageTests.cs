using System.Data.Common;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using ActionConnections.Secrets;
using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

/// <summary>Keys are stored only as SHA-256 hashes, and the data directory is the service user's alone.</summary>
public sealed class KeyStorageTests
{
    private static readonly string[] DatabaseFiles =
    [
        SqliteDatabase.FileName,
        SqliteDatabase.FileName + "-wal",
        SqliteDatabase.FileName + "-shm",
    ];

    [Fact]
    public async Task DataDir_AfterBootstrapAndUse_HoldsKeyHashesButNoKeyPlaintext()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Auth.Role.Standard);
        Assert.Equal(200, (await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        Assert.Equal(200, (await user.Client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);

        if (TestStore.IsPostgres)
        {
            var stored = await app.Store.ReadStoredTextAsync();
            foreach (var key in new[] { TestApp.ApiKey, TestApp.AppKey })
            {
                Assert.DoesNotContain(key, stored, StringComparison.OrdinalIgnoreCase);
                Assert.Contains(Sha256Hex(key), stored, StringComparison.Ordinal);
            }

            return;
        }

        await using var hold = await HoldDatabaseOpenAsync(app);
        var bytes = ReadDatabaseFiles(app.DataDir);

        foreach (var key in new[] { TestApp.ApiKey, TestApp.AppKey })
        {
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(key)), "plaintext key (UTF-8) found in the data directory");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(key)), "plaintext key (UTF-16) found in the data directory");
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(key.ToUpperInvariant())), "plaintext key (upper case) found in the data directory");
            Assert.True(Contains(bytes, Encoding.UTF8.GetBytes(Sha256Hex(key))), "the key's SHA-256 is not stored");
        }
    }

    [Fact]
    public async Task Logs_AfterBootstrapAndUse_HoldNoKeyPlaintext()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Auth.Role.Standard);
        Assert.Equal(200, (await user.Client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);

        Assert.DoesNotContain(TestApp.ApiKey, app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.AppKey, app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task DataDir_CreatedByTheService_IsOwnerOnly()
    {
        await using var app = await TestApp.StartAsync();
        Assert.Equal(200, (await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        _ = app.Service<ISecretProtector>().ActiveKeyId; // the generated master key is created on first use
        if (TestStore.IsPostgres)
        {
            // The store is PostgreSQL's and the master key comes from the settings: whatever the
            // service wrote into its data directory must still be owner-only.
            foreach (var file in Directory.Exists(app.DataDir) ? Directory.GetFiles(app.DataDir) : [])
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            return;
        }

        await using var hold = await HoldDatabaseOpenAsync(app);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(app.DataDir));
        var files = Directory.GetFiles(app.DataDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(SqliteDatabase.FileName, files);
        Assert.Contains(SqliteDatabase.FileName + "-wal", files);
        Assert.Contains(SqliteDatabase.FileName + "-shm", files);
        Assert.Contains(MasterKeyLoader.DefaultFileName, files);
        foreach (var file in Directory.GetFiles(app.DataDir))
        {
            Assert.True(
                File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite),
                $"{Path.GetFileName(file)} has mode {File.GetUnixFileMode(file)}");
        }
    }

    private static byte[] ReadDatabaseFiles(string dataDir)
    {
        using var all = new MemoryStream();
        foreach (var name in DatabaseFiles)
        {
            // The server is running: read past SQLite's open handles.
            using var stream = new FileStream(Path.Combine(dataDir, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    /// <summary>
    /// Keeps a connection open: SQLite deletes the -wal and -shm files when the
    /// last connection closes, and the files must hold still while they are inspected.
    /// </summary>
    private static async Task<DbConnection> HoldDatabaseOpenAsync(TestApp app)
    {
        var connection = await app.Service<IDatabase>().OpenAsync(CancellationToken.None);
        await using var read = connection.Command("SELECT COUNT(*) FROM orgs;");
        Assert.Equal(1L, await read.ExecuteScalarAsync());
        return connection;
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
