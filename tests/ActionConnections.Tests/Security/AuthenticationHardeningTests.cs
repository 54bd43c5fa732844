using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Nothing about keys can be learnt from failing: every kind of key failure gets the same bytes
/// back and asks the store the same lookups, and an address that keeps failing is limited, for all its
/// clients, until the period ends.
/// </summary>
[Collection(nameof(SerialTests))]
public sealed class AuthenticationHardeningTests(ITestOutputHelper output)
{
    private const string UnknownApiKey = "fedcba9876543210fedcba9876543210";
    private const string UnknownAppKey = "fedcba9876543210fedcba9876543210fedcba98";

    /// <summary>Headers that differ between any two answers: the clock and the failure counter.</summary>
    private static readonly string[] VaryingHeaders = ["Date", "X-RateLimit-Remaining", "X-RateLimit-Reset"];

    [Theory]
    [InlineData("GET", "/api/v2/actions/connections", null)]
    [InlineData("POST", "/api/v2/actions/connections", """{"data":{"type":"action_connection","attributes":{"name":"n","integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-x"}}}}}""")]
    [InlineData("PUT", "/api/v2/actions/app_key_registrations/{appkey}", null)]
    [InlineData("DELETE", "/api/v2/api_keys/{appkey}", null)]
    [InlineData("PATCH", "/api/v2/current_user/application_keys/{appkey}", """{"data":{"type":"application_keys","id":"{appkey}","attributes":{"name":"n"}}}""")]
    [InlineData("GET", "/api/v2/actionconnections/audit_events", null)]
    [InlineData("GET", "/api/v2/no_such_route", null)]
    public async Task KeyFailure_OfEveryKind_AnswersByteForByteTheSame(string method, string pathTemplate, string? body)
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var path = pathTemplate.Replace("{appkey}", app.AppKeyId.ToString(), StringComparison.Ordinal);
        (string Case, string? ApiKey, string? AppKey)[] cases =
        [
            ("unknown API key", UnknownApiKey, TestApp.AppKey),
            ("unknown application key", TestApp.ApiKey, UnknownAppKey),
            ("both unknown", UnknownApiKey, UnknownAppKey),
            ("API key of another organisation", (await app.CreateTenantAsync()).Created.ApiKey.Key, TestApp.AppKey),
            ("no keys", null, null),
        ];

        var answers = new List<string>();
        foreach (var (name, apiKey, appKey) in cases)
        {
            var headers = new List<(string, string)>();
            if (apiKey is not null)
            {
                headers.Add(("DD-API-KEY", apiKey));
            }

            if (appKey is not null)
            {
                headers.Add(("DD-APPLICATION-KEY", appKey));
            }

            if (body is not null)
            {
                headers.Add(("Content-Type", "application/json"));
            }

            var request = RawHttp.Build(app.BaseAddress, method, path, headers, body is null ? null : System.Text.Encoding.UTF8.GetBytes(body.Replace("{appkey}", app.AppKeyId.ToString(), StringComparison.Ordinal)));
            var response = await RawHttp.SendAsync(app.BaseAddress, request, CancellationToken.None);
            Assert.Equal(403, response.Status);
            var lines = response.HeaderLines.Where(l => !VaryingHeaders.Any(h => l.StartsWith(h + ":", StringComparison.OrdinalIgnoreCase)));
            answers.Add(string.Join("\n", lines) + "\n\n" + response.BodyText);
            output.WriteLine($"{name}: {answers[^1].Length} bytes");
        }

        Assert.Single(answers.Distinct(StringComparer.Ordinal));
        Assert.Contains("X-RateLimit-Name: authentication", answers[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// What keeps key failures alike in time (ADR 0003), checked without a clock: a valid API key
    /// with an unknown application key, an unknown API key with a valid application key, and two
    /// unknown keys ask the identity store exactly the same things, in the same order, every time:
    /// one lookup of both keys (hashes compared in constant time inside it) and one lookup of the
    /// API key's owner for the failure's audit event; no early return, no second lookup only for
    /// real keys, and a failure is never answered from the authentication cache. What those
    /// lookups take is measured by the benchmark (bench/run.sh --profile, the key failure steps),
    /// not here.
    /// </summary>
    [Fact]
    public async Task KeyFailure_OfEveryKind_AsksTheStoreTheSameLookups()
    {
        var calls = new ConcurrentQueue<string>();
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["ActionConnections:AuthFailureLimit"] = "1000000", ["ActionConnections:AuthCacheSeconds"] = "60" },
            services: services => services.AddSingleton(sp => StoreCallRecorder.Wrap(ActivatorUtilities.CreateInstance<SqlIdentityStore>(sp), calls)));
        (string Case, string ApiKey, string AppKey)[] kinds =
        [
            ("valid API key, unknown application key", TestApp.ApiKey, UnknownAppKey),
            ("unknown API key, valid application key", UnknownApiKey, TestApp.AppKey),
            ("both unknown", UnknownApiKey, UnknownAppKey),
        ];

        var asked = new List<string>();
        foreach (var (name, apiKey, appKey) in kinds)
        {
            using var client = app.CreateClient(apiKey, appKey);
            for (var attempt = 0; attempt < 2; attempt++)
            {
                calls.Clear();
                using var response = await client.GetAsync("/api/v2/actions/app_key_registrations");
                Assert.Equal(403, (int)response.StatusCode);
                asked.Add(string.Join(", ", calls));
                output.WriteLine($"{name}, attempt {attempt + 1}: {asked[^1]}");
            }
        }

        Assert.All(asked, a => Assert.Equal("AuthenticateAsync, FindApiKeyOwnerAsync", a));

        // The recorder sees what the store is asked: a valid pair is looked up once, then cached.
        calls.Clear();
        Assert.Equal(200, (int)(await app.Client.GetAsync("/api/v2/actions/app_key_registrations")).StatusCode);
        Assert.Equal(200, (int)(await app.Client.GetAsync("/api/v2/actions/app_key_registrations")).StatusCode);
        Assert.Equal(1, calls.Count(c => c == "AuthenticateAsync"));
    }

    [Fact]
    public async Task AuthFailures_PastTheLimit_LimitEveryClientOfTheAddressUntilThePeriodEnds()
    {
        const int Period = 2;
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:AuthFailureLimit"] = "3",
            ["ActionConnections:RateLimitPeriodSeconds"] = Period.ToString(CultureInfo.InvariantCulture),
        });
        using var attacker = app.CreateClient(UnknownApiKey, TestApp.AppKey);
        const string Path = "/api/v2/actions/app_key_registrations";

        // Windows are aligned to the clock: start early in one, so the whole sequence fits in it.
        var window = await StartOfAWindowAsync(Period);
        for (var remaining = 2; remaining >= 0; remaining--)
        {
            var failure = await attacker.GetJsonAsync(Path);
            ApiAssert.JsonApiBody(failure, 403, ApiAssert.ForbiddenBody);
            ApiAssert.RateLimitHeaders(failure, "authentication", limit: 3, period: Period, remaining);
        }

        var limited = await attacker.GetJsonAsync(Path);
        var legitimate = await app.Client.GetJsonAsync(Path);
        Assert.Equal(window, WindowOf(DateTimeOffset.UtcNow, Period));

        ApiAssert.JsonApiBody(limited, 429, ApiAssert.TooManyRequestsBody);
        ApiAssert.JsonApiBody(legitimate, 429, ApiAssert.TooManyRequestsBody);
        ApiAssert.RateLimitHeaders(legitimate, "authentication", limit: 3, period: Period, remaining: 0);

        // The limit lifts when the period ends, for the legitimate client and the failing one alike.
        var reset = int.Parse(legitimate.Header("X-RateLimit-Reset")!, CultureInfo.InvariantCulture);
        var waited = Stopwatch.StartNew();
        while (WindowOf(DateTimeOffset.UtcNow, Period) == window)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(reset + 1), "the window did not end when X-RateLimit-Reset said");
            await Task.Delay(20);
        }

        var after = await app.Client.GetJsonAsync(Path);
        var failingAgain = await attacker.GetJsonAsync(Path);
        Assert.Equal(200, after.Status);
        ApiAssert.JsonApiBody(failingAgain, 403, ApiAssert.ForbiddenBody);
        ApiAssert.RateLimitHeaders(failingAgain, "authentication", limit: 3, period: Period, remaining: 2);
    }

    private static long WindowOf(DateTimeOffset time, int period) => time.ToUnixTimeSeconds() / period;

    /// <summary>Waits (at most one period) until the first quarter of a fresh window and returns its index.</summary>
    private static async Task<long> StartOfAWindowAsync(int period)
    {
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % (period * 1000L) > period * 250L)
        {
            await Task.Delay(10);
        }

        return WindowOf(DateTimeOffset.UtcNow, period);
    }
}

/// <summary>An identity store that records the name of each method the server calls, then calls the real one.</summary>
public class StoreCallRecorder : DispatchProxy
{
    private IIdentityStore? _inner;
    private ConcurrentQueue<string>? _calls;

    internal static IIdentityStore Wrap(IIdentityStore inner, ConcurrentQueue<string> calls)
    {
        var proxy = Create<IIdentityStore, StoreCallRecorder>();
        var recorder = (StoreCallRecorder)(object)proxy;
        recorder._inner = inner;
        recorder._calls = calls;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        _calls!.Enqueue(targetMethod!.Name);
        return targetMethod.Invoke(_inner, args);
    }
}
