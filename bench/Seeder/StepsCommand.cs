using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Hosting;
using ActionConnections.Identity;
using ActionConnections.Json;
using ActionConnections.RateLimiting;
using ActionConnections.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActionConnections.Bench.Seeder;

/// <summary>
/// Times, one at a time and in-process, the steps a GET of a connection takes in the server's
/// own services (stopwatch method, no HTTP): what each costs on its own, in microseconds and
/// allocated bytes per call, so they can be ranked. Run against a seeded data directory while
/// no server uses it.
/// </summary>
internal static class StepsCommand
{
    private const string UnknownApiKey = "fedcba9876543210fedcba9876543210";
    private const string UnknownAppKey = "fedcba9876543210fedcba9876543210fedcba98";

    public static async Task<int> RunAsync(string idsFile, double secondsPerStep, CancellationToken cancellationToken)
    {
        await using var app = ServerServices.Build(bulkLoad: false);
        var services = app.Services;
        var options = services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        var db = services.GetRequiredService<IDatabase>();
        var identity = services.GetRequiredService<IIdentityStore>();
        var store = services.GetRequiredService<IConnectionStore>();
        var limiter = services.GetRequiredService<FixedWindowRateLimiter>();
        if (!await identity.HasAnyOrganizationAsync(cancellationToken))
        {
            await Console.Error.WriteLineAsync($"steps: no store in {services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir}; seed it first.");
            return 2;
        }

        var apiKey = options.BootstrapApiKey ?? throw new InvalidOperationException("Set ACTIONCONNECTIONS_BOOTSTRAP_API_KEY.");
        var appKey = options.BootstrapAppKey ?? throw new InvalidOperationException("Set ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY.");
        var caller = await identity.AuthenticateAsync(apiKey, appKey, cancellationToken) ?? throw new InvalidOperationException("The bootstrap keys do not authenticate.");
        var ids = (await File.ReadAllLinesAsync(idsFile, cancellationToken)).Where(l => l.Length > 0).Select(Guid.Parse).ToArray();
        var sample = await store.FindPublicAsync(caller.OrgId, ids[0], cancellationToken) ?? throw new InvalidOperationException("The first id is not found.");
        var storedIntegration = JsonSerializer.Serialize(sample.Integration, AppJson.Context.Integration);
        var next = 0;

        var steps = new (string Name, Func<Task> Body)[]
        {
            ("rent + return a pooled connection (IDatabase.OpenAsync)", async () =>
            {
                await using var connection = await db.OpenAsync(cancellationToken);
            }),
            ("authenticate, uncached: 2 SHA-256 + 1 query (AuthenticateAsync)", async () =>
                _ = await identity.AuthenticateAsync(apiKey, appKey, cancellationToken)),
            ("hash both keys (SHA-256, hex)", () =>
            {
                _ = KeyMaterial.Hash(apiKey);
                _ = KeyMaterial.Hash(appKey);
                return Task.CompletedTask;
            }),
            ("rate limiter: peek + acquire", () =>
            {
                _ = limiter.Acquire(RateLimitKey.ForFailuresFrom("127.0.0.1"), int.MaxValue, 60, consume: false);
                _ = limiter.Acquire(RateLimitKey.ForOrganization(caller.OrgId, "action_connections"), int.MaxValue, 60);
                return Task.CompletedTask;
            }),
            ("find connection: 1 prepared query + parse stored JSON (FindPublicAsync)", async () =>
                _ = await store.FindPublicAsync(caller.OrgId, ids[next++ % ids.Length], cancellationToken)),
            ("parse stored integration JSON", () =>
            {
                _ = JsonSerializer.Deserialize(storedIntegration, AppJson.Context.Integration);
                return Task.CompletedTask;
            }),
            ("map + serialize the response body", () =>
            {
                _ = JsonSerializer.SerializeToUtf8Bytes(new JsonApiData<ActionConnectionData>(ConnectionsApi.ToData(sample, caller.Has(Permission.ConnectionsResolve))), AppJson.Context.ActionConnectionResponse);
                return Task.CompletedTask;
            }),

            // What a key failure costs, by kind: the gateway's store work for a refused pair (the
            // lookup of both keys, then the API key's owner for the failure's audit event). The
            // three rows should be alike (ADR 0003); tests prove they run the same lookups
            // (AuthenticationHardeningTests), this shows what those lookups take.
            ("key failure: valid API key, unknown app key (auth + owner)", () => KeyFailureAsync(identity, apiKey, UnknownAppKey, cancellationToken)),
            ("key failure: unknown API key, valid app key (auth + owner)", () => KeyFailureAsync(identity, UnknownApiKey, appKey, cancellationToken)),
            ("key failure: both keys unknown (auth + owner)", () => KeyFailureAsync(identity, UnknownApiKey, UnknownAppKey, cancellationToken)),
        };

        var json = new StringBuilder("[");
        await Console.Error.WriteLineAsync($"{"step",-66} {"µs/call",9} {"bytes/call",10}");
        foreach (var (name, body) in steps)
        {
            await MeasureAsync(body, TimeSpan.FromSeconds(Math.Min(0.5, secondsPerStep)));
            var (micros, bytes, calls) = await MeasureAsync(body, TimeSpan.FromSeconds(secondsPerStep));
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name,-66} {micros,9:F2} {bytes,10:F0}"));
            json.Append(CultureInfo.InvariantCulture, $$"""{{(json.Length > 1 ? "," : string.Empty)}}{"step":{{JsonSerializer.Serialize(name, AppJson.Context.String)}},"us_per_call":{{micros:F2}},"bytes_per_call":{{bytes:F0}},"calls":{{calls}}}""");
        }

        Console.WriteLine(json.Append(']'));
        return 0;
    }

    private static async Task KeyFailureAsync(IIdentityStore identity, string apiKey, string appKey, CancellationToken cancellationToken)
    {
        if (await identity.AuthenticateAsync(apiKey, appKey, cancellationToken) is not null)
        {
            throw new InvalidOperationException("A key failure step authenticated.");
        }

        _ = await identity.FindApiKeyOwnerAsync(apiKey, cancellationToken);
    }

    private static async Task<(double Micros, double Bytes, long Calls)> MeasureAsync(Func<Task> body, TimeSpan duration)
    {
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < duration)
        {
            for (var i = 0; i < 64; i++)
            {
                await body();
            }

            calls += 64;
        }

        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return (elapsed.TotalMicroseconds / calls, (double)allocated / calls, calls);
    }
}
