using System.Diagnostics;
using System.Globalization;
using ActionConnections.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Nothing about keys can be learnt from failing: every kind of key failure gets the same bytes
/// back and takes comparable time, and an address that keeps failing is limited, for all its
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
    /// Timing: a valid API key with an unknown application key, an unknown API key with a valid
    /// application key, and two unknown keys all run the same lookups (ADR 0003), so their median
    /// times stay within 2x of each other. Samples are interleaved, so a slow spell of the machine
    /// hits every kind alike; medians ignore the odd pause. This shows no gross difference (an early
    /// return, a second lookup only for real keys); it cannot show constant time to the nanosecond.
    /// </summary>
    [Fact]
    public async Task KeyFailure_OfEveryKind_TakesComparableTime()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthFailureLimit"] = "1000000" });
        (string Case, HttpClient Client)[] kinds =
        [
            ("valid API key, unknown application key", app.CreateClient(TestApp.ApiKey, UnknownAppKey)),
            ("unknown API key, valid application key", app.CreateClient(UnknownApiKey, TestApp.AppKey)),
            ("both unknown", app.CreateClient(UnknownApiKey, UnknownAppKey)),
        ];
        var samples = kinds.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < 170; round++)
        {
            for (var k = 0; k < kinds.Length; k++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await kinds[k].Client.GetAsync("/api/v2/actions/app_key_registrations");
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Assert.Equal(403, (int)response.StatusCode);
                if (round >= 20)
                {
                    samples[k].Add(elapsed);
                }
            }
        }

        var medians = samples.Select(Median).ToArray();
        output.WriteLine(string.Join("\n", kinds.Select((k, i) => string.Create(CultureInfo.InvariantCulture, $"{k.Case}: median {medians[i]:F3} ms"))));
        foreach (var (_, client) in kinds)
        {
            client.Dispose();
        }

        Assert.InRange(medians.Max() / medians.Min(), 1.0, 2.0);
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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
