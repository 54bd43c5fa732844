using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Identity;
using ActionConnections.Tests.Connections;
using ActionConnections.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Malformed and adversarial requests against every operation (<see cref="HostileRequests"/>):
/// each is refused with a 4xx in its family's error shape, none changes the store or leaves a
/// successful audit event, the server stays up and its memory bounded. Requests go over raw
/// sockets, so bytes HttpClient would refuse or normalise reach the server as written.
/// </summary>
/// <remarks>
/// Kestrel answers some requests before the app sees them, with an empty body (README, "Limits
/// on input"): 414 for a request line over 8 KiB, 431 for headers over 32 KiB or more than 100,
/// 400 for a malformed request or header line, a missing or repeated Host, unusable framing, a
/// NUL or non-ASCII byte in the path (<c>%00</c> too) and invalid UTF-8 or NUL in a header
/// value. Only requests generated as such may get an empty body. Replay a run with
/// <c>HOSTILE_INPUT_SEED</c> (and <c>HOSTILE_INPUT_REQUESTS</c> for a longer one).
/// </remarks>
[Collection(nameof(SerialTests))]
public sealed class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>The seed CI uses; a failure message names the seed and request index to replay.</summary>
    private const int DefaultSeed = 20261126;
    private const int DefaultRequestCount = 10_500;
    private const int WarmUpCount = 2_000;
    private const int Parallelism = 8;
    private const long MaxMemoryGrowthBytes = 200L * 1024 * 1024;

    private const string Connections = "/api/v2/actions/connections";
    private const string Registrations = "/api/v2/actions/app_key_registrations";
    private const string AuditEvents = "/api/v2/actionconnections/audit_events";

    [Fact]
    public async Task EveryOperation_TenThousandMalformedRequests_AreRefusedAndChangeNothing()
    {
        var requestCount = int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_INPUT_REQUESTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : DefaultRequestCount;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_INPUT_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            // Limits out of the way: this test is about what each request does, not how many there are.
            ["ActionConnections:RateLimitRequests"] = "100000000",
            ["ActionConnections:AuthFailureLimit"] = "100000000",
        },
        // The test host keeps every captured log line (ASP.NET Core alone writes two lines of ten
        // fields per request at Information): ~150 MB here, which would hide what the server itself
        // keeps. Warnings and errors (an unhandled exception) are still captured.
        captureLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
        var world = await SeedAsync(app);
        var generator = new HostileRequests(world);
        Assert.InRange(generator.SweepCount, 500, requestCount / 2);
        var before = await SnapshotAsync(app, world);
        var startedAt = DateTimeOffset.UtcNow;

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var emptyBodies = new ConcurrentDictionary<string, int>();
        var kinds = new ConcurrentDictionary<string, (int Count, long Ticks)>();
        async Task SendAsync(int index, CancellationToken ct)
        {
            var request = generator.Generate(seed, index);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var started = Stopwatch.GetTimestamp();
            RawResponse response;
            try
            {
                response = await RawHttp.SendAsync(world.Server, request.Wire, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failures.Enqueue($"#{index} {request.Description}: no answer within 20 s");
                return;
            }

            var ticks = Stopwatch.GetTimestamp() - started;
            kinds.AddOrUpdate(request.Kind, (1, ticks), (_, k) => (k.Count + 1, k.Ticks + ticks));
            statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
            if (response.Body.Length == 0 && !request.Wire.IsHead)
            {
                emptyBodies.AddOrUpdate($"{response.Status} {request.Kind}", 1, (_, n) => n + 1);
            }

            if (Problem(request, response) is { } problem)
            {
                failures.Enqueue($"#{index} {request.Description}\n    → {problem}\n    → {response}");
            }
        }

        // Memory is compared from after a warm-up that has met every kind of request: pools and
        // caches (ArrayPool buffers for 1 MiB bodies, Kestrel's memory pool) fill up to their
        // bounds there; growth after it would be kept per request.
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = deadline.Token };
        var (managedStart, workingSetStart) = Memory();
        await Parallel.ForEachAsync(Enumerable.Range(0, WarmUpCount), parallel, async (i, ct) => await SendAsync(i, ct));
        var (managedBefore, workingSetBefore) = Memory();
        await Parallel.ForEachAsync(Enumerable.Range(WarmUpCount, requestCount - WarmUpCount), parallel, async (i, ct) => await SendAsync(i, ct));
        var elapsed = clock.Elapsed;
        var (managedAfter, workingSetAfter) = Memory();

        var after = await SnapshotAsync(app, world);
        var outcomes = await AuditOutcomesSinceAsync(app, startedAt);
        var stillUp = await app.Client.GetJsonAsync($"{Connections}/{world.Connections[0].Id}");

        output.WriteLine($"seed {seed}: {requestCount} requests ({generator.SweepCount} in the wrong-type sweep) in {elapsed.TotalSeconds:F1} s with {Parallelism} in parallel");
        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        output.WriteLine("kinds (count, mean ms):\n  " + string.Join("\n  ", kinds.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ×{p.Value.Count} {Stopwatch.GetElapsedTime(0, p.Value.Ticks).TotalMilliseconds / p.Value.Count:F1}")));
        output.WriteLine("empty bodies (Kestrel's own answers):\n  " + string.Join("\n  ", emptyBodies.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ×{p.Value}")));
        output.WriteLine($"managed heap {managedStart / 1048576} → {managedBefore / 1048576} (after {WarmUpCount}) → {managedAfter / 1048576} MiB; working set {workingSetStart / 1048576} → {workingSetBefore / 1048576} → {workingSetAfter / 1048576} MiB");
        output.WriteLine($"captured log lines: {app.Logs.Lines.Count}; large object heap {GC.GetGCMemoryInfo().GenerationInfo[3].SizeAfterBytes / 1048576} MiB");
        output.WriteLine("audit outcomes since the start: " + string.Join(", ", outcomes.Select(p => $"{p.Key}×{p.Value}")));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requestCount} requests were answered wrongly (replay with HOSTILE_INPUT_SEED={seed}):\n{string.Join("\n", failures.Take(25))}");
        Assert.DoesNotContain(statuses.Keys, status => status >= 500);
        Assert.Equal(before, after);
        Assert.Equal(["failure"], outcomes.Keys);
        Assert.Equal(200, stillUp.Status);
        Assert.DoesNotContain(app.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
        Assert.InRange(managedAfter - managedBefore, long.MinValue, MaxMemoryGrowthBytes);
        Assert.InRange(workingSetAfter - workingSetBefore, long.MinValue, MaxMemoryGrowthBytes);
    }

    /// <summary>
    /// The README's "Limits on input" table, at each limit and one past it. Kestrel counts the
    /// request line with its CRLF and the headers as their lines with CRLFs; it answers the
    /// request line and header limits itself, with an empty body.
    /// </summary>
    [Fact]
    public async Task InputLimits_AtAndJustPastEachLimit_AnswerAsTheReadmeTableSays()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var server = app.BaseAddress;
        (string, string)[] auth = [("DD-API-KEY", TestApp.ApiKey), ("DD-APPLICATION-KEY", TestApp.AppKey)];
        var registration = $"{Registrations}/{app.AppKeyId}";
        const int MaxBody = 1024 * 1024;
        const string ValidCreate = """{"data":{"type":"action_connection","attributes":{"name":"limits","integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-x"}}}}}""";

        Task<RawResponse> SendAsync(string method, string target, IEnumerable<(string, string)> headers, byte[]? body = null, bool chunked = false) =>
            RawHttp.SendAsync(server, RawHttp.Build(server, method, target, headers, body, chunked, expectContinue: body is { Length: > MaxBody }), CancellationToken.None);

        byte[] Padded(int size) => Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('p', size - ValidCreate.Length - 9) + "\"," + ValidCreate[1..]);
        byte[] Nested(int levels) => Encoding.UTF8.GetBytes("{\"pad\":" + new string('[', levels - 1) + new string(']', levels - 1) + "," + ValidCreate[1..]);
        string Line(int length) => $"{Registrations}?pad={new string('a', length - $"GET {Registrations}?pad= HTTP/1.1\r\n".Length)}";
        (string, string)[] HeadersOf(int bytes) => [.. auth, ("X-Pad", new string('h', bytes - $"Host: {server.Host}:{server.Port}\r\n".Length - auth.Sum(h => h.Item1.Length + h.Item2.Length + 4) - "Connection: close\r\n".Length - "X-Pad: \r\n".Length))];
        (string, string)[] CountOf(int headers) => [.. auth, .. Enumerable.Range(0, headers - 4).Select(i => ($"X-H{i}", "v"))];
        var json = new[] { ("Content-Type", "application/json") };

        // request body: 1 MiB, declared or chunked.
        Assert.Equal(201, (await SendAsync("PUT", registration, [.. auth, .. json], new byte[MaxBody])).Status);
        AssertError(413, ErrorShape.JsonApi, await SendAsync("PUT", registration, [.. auth, .. json], new byte[MaxBody + 1]));
        Assert.Equal(MaxBody, Padded(MaxBody).Length);

        // Kestrel counts a chunked body as it comes, chunk framing included.
        var fitsChunked = Enumerable.Range(MaxBody - 1000, 1000).Last(size => RawHttp.ChunkedLength(size) <= MaxBody);
        Assert.Equal(MaxBody, RawHttp.ChunkedLength(fitsChunked));
        Assert.Equal(201, (await SendAsync("POST", Connections, [.. auth, .. json], Padded(fitsChunked), chunked: true)).Status);
        AssertError(413, ErrorShape.JsonApi, await SendAsync("POST", Connections, [.. auth, .. json], Padded(fitsChunked + 1), chunked: true));
        AssertError(413, ErrorShape.JsonApi, await SendAsync("POST", Connections, [.. auth, .. json], Padded(MaxBody), chunked: true));

        // JSON nesting: 64 levels.
        Assert.Equal(201, (await SendAsync("POST", Connections, [.. auth, .. json], Nested(64))).Status);
        var tooDeep = await SendAsync("POST", Connections, [.. auth, .. json], Nested(65));
        AssertError(400, ErrorShape.JsonApi, tooDeep);
        Assert.Contains("nested deeper than 64 levels", tooDeep.BodyText, StringComparison.Ordinal);

        // request line, all headers, header count: 8 KiB / 32 KiB / 100, answered by Kestrel.
        Assert.Equal(200, (await SendAsync("GET", Line(8192), auth)).Status);
        AssertEmpty(414, await SendAsync("GET", Line(8193), auth));
        Assert.Equal(200, (await SendAsync("GET", Registrations, HeadersOf(32 * 1024))).Status);
        AssertEmpty(431, await SendAsync("GET", Registrations, HeadersOf((32 * 1024) + 1)));
        Assert.Equal(200, (await SendAsync("GET", Registrations, CountOf(100))).Status);
        AssertEmpty(431, await SendAsync("GET", Registrations, CountOf(101)));

        static void AssertError(int status, ErrorShape shape, RawResponse response)
        {
            Assert.Equal(status, response.Status);
            Assert.Null(ShapeProblem(shape, response));
        }

        static void AssertEmpty(int status, RawResponse response) => Assert.Equal($"{status} 0", $"{response.Status} {response.Body.Length}");
    }

    /// <summary>What is wrong with <paramref name="response"/> to <paramref name="request"/>, or null.</summary>
    private static string? Problem(HostileRequest request, RawResponse response)
    {
        if (response.Status == 0)
        {
            return "the connection closed without an HTTP answer";
        }

        if (!request.Allowed.Contains(response.Status))
        {
            return $"status {response.Status}, expected {string.Join(" or ", request.Allowed)}";
        }

        if (request.ExpectsSuccess || request.Wire.IsHead)
        {
            return null;
        }

        if (response.Body.Length == 0)
        {
            // Only Kestrel answers without a body, and only for requests that break HTTP or its
            // limits; anything that reached the app must come back in the error shape.
            return request.KestrelLevel && response.Status is 400 or 414 or 431 ? null : "an error without a body";
        }

        if (!response.Headers.ContainsKey("X-RateLimit-Name"))
        {
            return "an /api/v2 answer without rate-limit headers";
        }

        return ShapeProblem(request.Shape, response);
    }

    internal static string? ShapeProblem(ErrorShape shape, RawResponse response)
    {
        var expectedType = shape == ErrorShape.JsonApi ? "application/vnd.api+json" : "application/json";
        if (response.ContentType != expectedType)
        {
            return $"content type {response.ContentType}, expected {expectedType}";
        }

        try
        {
            var root = response.Json;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Select(p => p.Name).SingleOrDefault() != "errors")
            {
                return "the body is not {\"errors\":[…]}";
            }

            var errors = root.GetProperty("errors");
            if (errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
            {
                return "errors is not a non-empty array";
            }

            foreach (var error in errors.EnumerateArray())
            {
                var ok = shape == ErrorShape.Strings
                    ? error.ValueKind == JsonValueKind.String && error.GetString()!.Length > 0
                    : error.ValueKind == JsonValueKind.Object && error.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String;
                if (!ok)
                {
                    return $"an error item of the wrong shape: {error.GetRawText()}";
                }
            }

            return null;
        }
        catch (JsonException e)
        {
            return $"the body is not JSON ({e.Message})";
        }
    }

    /// <summary>The organisation's resources the run aims at: one connection per credential type, keys of every kind, a service account.</summary>
    private static async Task<HostileWorld> SeedAsync(TestApp app)
    {
        await app.RegisterBootstrapKeyAsync();
        var connections = new List<(string, string)>();
        foreach (var sample in CredentialSamples.List)
        {
            var id = await app.Client.CreateAsync(sample.FullIntegration, $"seeded {sample.CredentialType}");
            var update = sample.CredentialType switch
            {
                "HTTPTokenAuth" => """
                    {"type":"HTTP","base_url":"https://example.com","credentials":{"type":"HTTPTokenAuth",
                    "tokens":[{"name":"token1","type":"SECRET","value":"CANARY-rotated","deleted":false},{"name":"token2","deleted":true}],
                    "headers":[{"name":"header-name","value":"v2"}],"url_parameters":[{"name":"urlParamName","value":"v2"}],
                    "body":{"content":"x","content_type":"text/plain"}}}
                    """,
                "AWSAssumeRole" => """{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"210987654321","role":"r2","generate_new_external_id":true}}""",
                _ => sample.UpdateIntegration,
            };
            connections.Add((id, update));
        }

        var apiKey = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/api_keys", """{"data":{"type":"api_keys","attributes":{"name":"seeded"}}}""");
        var myKey = await app.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/current_user/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"seeded","scopes":["connections_read"]}}}""");
        var robot = await app.Service<IIdentityStore>().CreatePrincipalAsync(app.OrgId, PrincipalKind.ServiceAccount, "robot", null, Role.Standard, CancellationToken.None);
        var robotKey = await app.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/service_accounts/{robot.Id}/application_keys", """{"data":{"type":"application_keys","attributes":{"name":"robot key"}}}""");
        Assert.Equal((201, 201, 201), (apiKey.Status, myKey.Status, robotKey.Status));
        return new HostileWorld(
            app.BaseAddress,
            TestApp.ApiKey,
            TestApp.AppKey,
            connections,
            app.AppKeyId,
            IdOf(apiKey),
            IdOf(myKey),
            robot.Id,
            IdOf(robotKey),
            MaxBodyBytes: 1024 * 1024);

        static Guid IdOf(TestResponse response) => response.Json.GetProperty("data").GetProperty("id").GetGuid();
    }

    /// <summary>Everything the seeded resources show through the API, plus their sealed secrets (which no response shows).</summary>
    private static async Task<string> SnapshotAsync(TestApp app, HostileWorld world)
    {
        var saKeys = $"/api/v2/service_accounts/{world.ServiceAccountId}/application_keys";
        List<string> paths =
        [
            $"{Connections}?page[size]=1000", $"{Registrations}?page[size]=1000", "/api/v2/api_keys?page[size]=100",
            "/api/v2/current_user/application_keys?page[size]=100", "/api/v2/application_keys?page[size]=100", $"{saKeys}?page[size]=100",
            $"{Registrations}/{world.RegisteredAppKeyId}", $"/api/v2/api_keys/{world.ApiKeyId}", $"/api/v2/current_user/application_keys/{world.MyAppKeyId}",
            $"/api/v2/application_keys/{world.ServiceAccountKeyId}", $"{saKeys}/{world.ServiceAccountKeyId}",
            .. world.Connections.Select(c => $"{Connections}/{c.Id}"),
        ];
        var snapshot = new StringBuilder();
        foreach (var path in paths)
        {
            var response = await app.Client.GetJsonAsync(path);
            Assert.True(response.Status == 200, $"{path}: {response}");
            snapshot.Append(path).Append(' ').AppendLine(response.Body);
        }

        var store = app.Service<IConnectionStore>();
        foreach (var (id, _) in world.Connections)
        {
            var record = await store.FindAsync(app.OrgId, Guid.Parse(id), CancellationToken.None);
            Assert.NotNull(record);
            snapshot.Append(id).Append(" v").Append(record.Version).Append(' ')
                .AppendJoin(',', record.SealedSecrets.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")).AppendLine();
        }

        return snapshot.ToString();
    }

    /// <summary>How many audit events of each outcome the organisation has since <paramref name="since"/>.</summary>
    private static async Task<SortedDictionary<string, int>> AuditOutcomesSinceAsync(TestApp app, DateTimeOffset since)
    {
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var from = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        for (var page = 0; ; page++)
        {
            var response = await app.Client.GetJsonAsync($"{AuditEvents}?filter[from]={from}&page[size]=1000&page[number]={page}");
            Assert.Equal(200, response.Status);
            var events = response.Json.GetProperty("data");
            foreach (var e in events.EnumerateArray())
            {
                var outcome = e.GetProperty("attributes").GetProperty("outcome").GetString()!;
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }

            if (events.GetArrayLength() < 1000)
            {
                return outcomes;
            }
        }
    }

    /// <summary>
    /// Live managed bytes and the working set after an aggressive collection, which compacts the
    /// large object heap and gives freed memory back to the OS: the test's own 1 MiB bodies would
    /// otherwise count as fragmentation the server never kept.
    /// </summary>
    private static (long Managed, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
