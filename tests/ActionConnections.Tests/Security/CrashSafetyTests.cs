using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ActionConnections.Connections;
using ActionConnections.Secrets;
using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ActionConnections.Tests.Security;

/// <summary>
/// The server as a separate process under concurrent creates, updates and deletes, killed with
/// SIGKILL at random moments and restarted on the same data directory, again and again. Every
/// acknowledged write must survive whole; an unacknowledged one may be there or not, but never
/// half; the database must pass <c>PRAGMA integrity_check</c> after every kill.
/// </summary>
/// <remarks>
/// The number of kill/restart cycles comes from <c>ACTIONCONNECTIONS_TEST_CRASH_ITERATIONS</c>
/// (default <see cref="DefaultIterations"/>, about 20 s). A longer campaign:
/// <c>ACTIONCONNECTIONS_TEST_CRASH_ITERATIONS=200 dotnet test tests/ActionConnections.Tests --filter "FullyQualifiedName~CrashSafetyTests"</c>.
/// The server runs on the embedded SQLite store on both test passes: its durability is what
/// this tests; PostgreSQL's is PostgreSQL's.
/// </remarks>
[Collection(nameof(SerialTests))]
[Trait("Provider", "SQLite")]
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int DefaultIterations = 20;
    private const int Writers = 4;
    private const string Connections = "/api/v2/actions/connections";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ac-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ServerKilledDuringConcurrentWrites_Restarted_KeepsEveryAcknowledgedWriteWholeAndTheDatabaseIntact()
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("ACTIONCONNECTIONS_TEST_CRASH_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultIterations;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var keys = ServerKeys.New();
        var model = new Model();
        var clock = Stopwatch.StartNew();
        var interrupted = 0;
        Guid orgId = default;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            await using var server = await StartAsync(keys);
            if (iteration == 0)
            {
                orgId = Guid.Parse(server.Output.Split('\n').Single(l => l.Contains("organisation id:", StringComparison.Ordinal)).Split(':')[1].Trim());
                var registered = await server.Client.PutAsync($"/api/v2/actions/app_key_registrations/{AppKeyIdOf(server.Output)}", null);
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            }
            else
            {
                await AssertServedAsync(server, model);
            }

            // Writers run until the kill; the kill comes at a random moment of the burst.
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(server.Client, model, w, new Random(HashCode.Combine(seed, iteration, w)), stop.Token))).ToList();
            await Task.Delay(random.Next(150, 900));
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            interrupted += model.PendingCount > 0 ? 1 : 0;

            AssertIntegrityOk();
            await ResolveAgainstStoreAsync(orgId, model);
            Assert.True(model.Errors.Count == 0, $"after kill {iteration + 1} (seed {seed}):\n{string.Join("\n", model.Errors)}");
            AssertNoKeysInOutput(server, keys);
        }

        await using (var last = await StartAsync(keys))
        {
            await AssertServedAsync(last, model);
        }

        output.WriteLine($"seed {seed}: {iterations} kill/restart cycles in {clock.Elapsed.TotalSeconds:F1} s; {model.Acknowledged} acknowledged writes, {interrupted} kills with writes in flight, {model.Live} connections at the end");
        Assert.Empty(model.Errors);
        Assert.True(model.Acknowledged > iterations, $"only {model.Acknowledged} writes were acknowledged in {iterations} cycles");
        Assert.True(interrupted > 0, "no kill interrupted a write");
    }

    /// <summary>The test's own connections are closed already (unpooled, or their pool cleared), so the directory can go.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A connection's name and both token values follow from its label and generation, so a half-applied write cannot pass for a whole one.</summary>
    private static string Name(string label, int generation) => $"{label} g{generation}";

    private static string Secret(string label, int generation, char token) => $"sk-CANARY-{label}-g{generation}-{token}";

    private static string Integration(string label, int generation) => $$$"""
        {"type":"HTTP","base_url":"https://example.com/{{{label}}}","credentials":{"type":"HTTPTokenAuth","tokens":[
        {"name":"a","type":"SECRET","value":"{{{Secret(label, generation, 'a')}}}"},{"name":"b","type":"SECRET","value":"{{{Secret(label, generation, 'b')}}}"}]}}
        """;

    private static string Body(string label, int generation) =>
        $$$"""{"data":{"type":"action_connection","attributes":{"name":"{{{Name(label, generation)}}}","integration":""" + Integration(label, generation) + "}}}";

    private static string AppKeyIdOf(string serverOutput) =>
        serverOutput.Split('\n').Single(l => l.Contains("application key id:", StringComparison.Ordinal)).Split(':')[1].Trim();

    private async Task<ServerProcess> StartAsync(ServerKeys keys) =>
        await ServerProcess.StartAsync(_dataDir, keys, new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS"] = "100000000",
            ["ACTIONCONNECTIONS_AUTH_FAILURE_LIMIT"] = "100000000",
        });

    /// <summary>
    /// One writer: creates, renames-and-rotates (PATCH) and deletes connections it alone owns, so
    /// the last acknowledged value of each is known. A request without an answer is left pending.
    /// </summary>
    private static async Task WriteAsync(HttpClient client, Model model, int writer, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var owned = model.OwnedBy(writer);
            var roll = random.Next(100);
            try
            {
                if (owned.Count < 3 || (roll < 30 && owned.Count < 12))
                {
                    var label = model.BeginCreate(writer);
                    using var response = await client.PostAsync(Connections, Json(Body(label, 0)), stop);
                    var text = await response.Content.ReadAsStringAsync(stop);
                    if (model.Expect(response.StatusCode == HttpStatusCode.Created, $"create {label}: {(int)response.StatusCode} {text}"))
                    {
                        model.Created(label, Guid.Parse(JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("id").GetString()!));
                    }
                }
                else if (roll < 80)
                {
                    var (id, tracked) = owned[random.Next(owned.Count)];
                    var next = model.BeginUpdate(id);
                    using var response = await client.PatchAsync($"{Connections}/{id}", Json(Body(tracked.Label, next)), stop);
                    var text = await response.Content.ReadAsStringAsync(stop);
                    if (model.Expect(response.StatusCode == HttpStatusCode.OK, $"update {id}: {(int)response.StatusCode} {text}"))
                    {
                        model.Updated(id, next);
                    }
                }
                else
                {
                    var (id, _) = owned[random.Next(owned.Count)];
                    model.BeginDelete(id);
                    using var response = await client.DeleteAsync($"{Connections}/{id}", stop);
                    if (model.Expect(response.StatusCode == HttpStatusCode.NoContent, $"delete {id}: {(int)response.StatusCode}"))
                    {
                        model.Deleted(id);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                // The server died under this request: it stays pending, to be resolved from the store.
                return;
            }
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private void AssertIntegrityOk()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir, SqliteDatabase.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", command.ExecuteScalar());
    }

    /// <summary>
    /// With the process dead: reads every connection of the organisation from the store, decrypts
    /// its secrets, checks each is whole (name and both secrets of one generation) and is what the
    /// acknowledged writes say, and settles the writes left pending by the kill.
    /// </summary>
    private async Task ResolveAgainstStoreAsync(Guid orgId, Model model)
    {
        var options = Options.Create(new StorageOptions { DataDir = _dataDir });
        var database = new SqliteDatabase(options);
        var store = new SqlConnectionStore(database);
        var protector = new AesGcmSecretProtector(MasterKeyLoader.Load(new SecretsOptions(), _dataDir));
        var stored = new List<(Guid Id, string Label, int Generation)>();
        for (var page = 0; ; page++)
        {
            var (result, _) = await store.ListAsync(orgId, new ConnectionFilter(null, null), 1000, page, CancellationToken.None);
            foreach (var listed in result.Items)
            {
                var record = await store.FindAsync(orgId, listed.Id, CancellationToken.None) ?? throw new InvalidOperationException($"connection {listed.Id} listed but not found");
                if (Whole(record, protector) is { } parsed)
                {
                    stored.Add((record.Id, parsed.Label, parsed.Generation));
                }
                else
                {
                    model.Errors.Add($"connection {record.Id} '{record.Name}' is not whole");
                }
            }

            if (result.Items.Count < 1000)
            {
                break;
            }
        }

        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            SqliteConnection.ClearPool((SqliteConnection)connection);
        }

        model.Resolve(stored);
    }

    /// <summary>The label and generation of a stored connection whose name, base URL and decrypted secrets all agree; else null.</summary>
    private static (string Label, int Generation)? Whole(ConnectionRecord record, AesGcmSecretProtector protector)
    {
        var space = record.Name.LastIndexOf(" g", StringComparison.Ordinal);
        if (space < 0 || !int.TryParse(record.Name[(space + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return null;
        }

        var label = record.Name[..space];
        string? Reveal(char token)
        {
            try
            {
                return protector.Unprotect(record.SealedSecrets[$"tokens/{token}"], new SecretContext(record.OrgId, record.Id, $"tokens/{token}"));
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or KeyNotFoundException or FormatException)
            {
                return null;
            }
        }

        var whole = record.Integration.Type == "HTTP"
            && record.Integration.Fields.Text("base_url") == $"https://example.com/{label}"
            && record.SealedSecrets.Count == 2
            && Reveal('a') == Secret(label, generation, 'a')
            && Reveal('b') == Secret(label, generation, 'b');
        return whole ? (label, generation) : null;
    }

    /// <summary>After a restart: the list shows exactly the model, and each live connection reads back whole over HTTP, with its secrets as "".</summary>
    private static async Task AssertServedAsync(ServerProcess server, Model model)
    {
        var list = JsonDocument.Parse(await server.Client.GetStringAsync($"{Connections}?page[size]=1000")).RootElement.GetProperty("data");
        var listed = list.EnumerateArray().Select(c => $"{c.GetProperty("id").GetString()} {c.GetProperty("attributes").GetProperty("name").GetString()}").Order(StringComparer.Ordinal).ToList();
        var expected = model.LiveConnections().Select(c => $"{c.Id} {Name(c.Label, c.Generation)}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, listed);
        foreach (var (id, label, generation) in model.TakeTouched())
        {
            using var response = await server.Client.GetAsync($"{Connections}/{id}");
            var text = await response.Content.ReadAsStringAsync();
            if (generation < 0)
            {
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"deleted {id}: {text}");
                continue;
            }

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{id}: {text}");
            var attributes = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("attributes");
            Assert.Equal(Name(label, generation), attributes.GetProperty("name").GetString());
            var tokens = attributes.GetProperty("integration").GetProperty("credentials").GetProperty("tokens");
            Assert.Equal(["a=", "b="], tokens.EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()}={t.GetProperty("value").GetString()}").ToArray());
        }
    }

    private void AssertNoKeysInOutput(ServerProcess server, ServerKeys keys)
    {
        var serverOutput = server.Output;
        Assert.DoesNotContain(keys.ApiKey, serverOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(keys.AppKey, serverOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", serverOutput, StringComparison.Ordinal);
        output.WriteLine($"pid {server.Id}: {serverOutput.Split('\n').Length} lines of output");
    }

    /// <summary>
    /// What the acknowledged writes say the store holds, with the writes a kill left unanswered.
    /// Each connection has one writer, so its last acknowledged generation is exact.
    /// </summary>
    private sealed class Model
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<Guid, Tracked> _connections = [];
        private readonly Dictionary<string, int> _pendingCreates = new(StringComparer.Ordinal);
        private readonly HashSet<Guid> _touched = [];
        private int _labels;

        public List<string> Errors { get; } = [];

        public int Acknowledged { get; private set; }

        public int PendingCount
        {
            get
            {
                lock (_lock)
                {
                    return _pendingCreates.Count + _connections.Values.Count(c => c.Pending != Op.None);
                }
            }
        }

        public int Live
        {
            get
            {
                lock (_lock)
                {
                    return _connections.Values.Count(c => !c.Deleted);
                }
            }
        }

        public List<(Guid Id, Tracked Tracked)> OwnedBy(int writer)
        {
            lock (_lock)
            {
                return [.. _connections.Where(p => p.Value.Writer == writer && !p.Value.Deleted).Select(p => (p.Key, p.Value))];
            }
        }

        public IReadOnlyList<(Guid Id, string Label, int Generation)> LiveConnections()
        {
            lock (_lock)
            {
                return [.. _connections.Where(p => !p.Value.Deleted).Select(p => (p.Key, p.Value.Label, p.Value.Generation))];
            }
        }

        /// <summary>The connections written since the last call, with generation -1 for deleted ones.</summary>
        public List<(Guid Id, string Label, int Generation)> TakeTouched()
        {
            lock (_lock)
            {
                var touched = _touched.Select(id => (id, _connections[id].Label, _connections[id].Deleted ? -1 : _connections[id].Generation)).ToList();
                _touched.Clear();
                return touched;
            }
        }

        public bool Expect(bool condition, string what)
        {
            if (!condition)
            {
                lock (_lock)
                {
                    Errors.Add($"unexpected answer: {what}");
                }
            }

            return condition;
        }

        public string BeginCreate(int writer)
        {
            lock (_lock)
            {
                var label = $"w{writer}n{_labels++}";
                _pendingCreates[label] = writer;
                return label;
            }
        }

        public void Created(string label, Guid id)
        {
            lock (_lock)
            {
                _connections[id] = new Tracked(label, _pendingCreates[label]);
                _pendingCreates.Remove(label);
                _touched.Add(id);
                Acknowledged++;
            }
        }

        public int BeginUpdate(Guid id)
        {
            lock (_lock)
            {
                _connections[id].Pending = Op.Update;
                return _connections[id].Generation + 1;
            }
        }

        public void Updated(Guid id, int generation)
        {
            lock (_lock)
            {
                (_connections[id].Generation, _connections[id].Pending) = (generation, Op.None);
                _touched.Add(id);
                Acknowledged++;
            }
        }

        public void BeginDelete(Guid id)
        {
            lock (_lock)
            {
                _connections[id].Pending = Op.Delete;
            }
        }

        public void Deleted(Guid id)
        {
            lock (_lock)
            {
                (_connections[id].Deleted, _connections[id].Pending) = (true, Op.None);
                _touched.Add(id);
                Acknowledged++;
            }
        }

        /// <summary>
        /// Checks the store against the model and settles pending writes: a pending create may
        /// exist (at generation 0) or not, a pending update may be at the old or the new
        /// generation, a pending delete may be gone or not. Anything else is an error.
        /// </summary>
        public void Resolve(IReadOnlyList<(Guid Id, string Label, int Generation)> stored)
        {
            lock (_lock)
            {
                var seen = new HashSet<Guid>();
                foreach (var (id, label, generation) in stored)
                {
                    seen.Add(id);
                    if (_connections.TryGetValue(id, out var tracked))
                    {
                        var allowed = tracked.Pending == Op.Update ? new[] { tracked.Generation, tracked.Generation + 1 } : [tracked.Generation];
                        if (tracked.Deleted)
                        {
                            Errors.Add($"{id} was deleted (acknowledged) but is stored as {label} g{generation}");
                        }
                        else if (label != tracked.Label || !allowed.Contains(generation))
                        {
                            Errors.Add($"{id} should be {tracked.Label} g{string.Join(" or g", allowed)} but is {label} g{generation}");
                        }
                        else if (tracked.Pending != Op.None)
                        {
                            (tracked.Generation, tracked.Pending) = (generation, Op.None);
                            _touched.Add(id);
                        }
                    }
                    else if (_pendingCreates.TryGetValue(label, out var writer) && generation == 0)
                    {
                        _connections[id] = new Tracked(label, writer);
                        _pendingCreates.Remove(label);
                        _touched.Add(id);
                    }
                    else
                    {
                        Errors.Add($"{id} ({label} g{generation}) was never written");
                    }
                }

                foreach (var (id, tracked) in _connections.Where(p => !p.Value.Deleted && !seen.Contains(p.Key)))
                {
                    if (tracked.Pending == Op.Delete)
                    {
                        tracked.Deleted = true;
                        _touched.Add(id);
                    }
                    else
                    {
                        Errors.Add($"{id} ({tracked.Label} g{tracked.Generation}) was acknowledged but is gone");
                    }

                    tracked.Pending = Op.None;
                }

                foreach (var tracked in _connections.Values)
                {
                    tracked.Pending = Op.None;
                }

                _pendingCreates.Clear();
            }
        }
    }

    private sealed class Tracked(string label, int writer)
    {
        public string Label { get; } = label;

        public int Writer { get; } = writer;

        public int Generation { get; set; }

        public bool Deleted { get; set; }

        public Op Pending { get; set; }
    }

    private enum Op
    {
        None,
        Update,
        Delete,
    }
}
