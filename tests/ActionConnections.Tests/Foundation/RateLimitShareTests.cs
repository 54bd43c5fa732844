using System.Globalization;
using ActionConnections.Auth;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// Issue 11, item 1: a key that may do nothing must not drive its organisation into 429. A
/// request the endpoint's declared rules refuse does not spend the organisation's budget, and one
/// application key may spend at most half of it (at least 10 requests) per window.
/// </summary>
public sealed class RateLimitShareTests
{
    private const int Period = 86400;
    private const string Connections = "/api/v2/actions/connections";

    private static Dictionary<string, string?> Limit(int requests) => new()
    {
        ["ActionConnections:RateLimitRequests"] = requests.ToString(CultureInfo.InvariantCulture),
        ["ActionConnections:RateLimitPeriodSeconds"] = Period.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task RefusedDeletes_FromAnUnregisteredKey_DoNotDriveTheAdminInto429()
    {
        await using var app = await TestApp.StartAsync(Limit(20));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "kept");
        var intruder = await app.CreateUserAsync(Role.Standard);

        var refused = new List<int>();
        for (var i = 0; i < 22; i++)
        {
            refused.Add((await intruder.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}")).Status);
        }

        var admin = await app.Client.GetJsonAsync($"{Connections}/{id}");

        // The refused key is throttled by its own share, after its first 10 requests.
        Assert.Equal(Enumerable.Repeat(403, 10).Concat(Enumerable.Repeat(429, 12)), refused);
        Assert.Equal(200, admin.Status);
        ApiAssert.RateLimitHeaders(admin, "action_connections", limit: 20, period: Period, remaining: 18);
    }

    [Fact]
    public async Task RefusedWrites_FromAReadOnlyKey_DoNotSpendTheOrganisationsBudget()
    {
        await using var app = await TestApp.StartAsync(Limit(20));
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "kept");
        var reader = await app.CreateUserAsync(Role.ReadOnly);
        Assert.Equal(201, (await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{reader.AppKeyId}")).Status);

        var refused = await reader.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}");
        var allowed = await reader.Client.GetJsonAsync($"{Connections}/{id}");

        Assert.Equal(403, refused.Status);
        ApiAssert.RateLimitHeaders(refused, "action_connections", limit: 20, period: Period, remaining: 19);
        Assert.Equal(200, allowed.Status);
        ApiAssert.RateLimitHeaders(allowed, "action_connections", limit: 20, period: Period, remaining: 18);
    }

    [Fact]
    public async Task OneBusyKey_SpendsAtMostHalf_AndTheRestStaysForOtherKeys()
    {
        await using var app = await TestApp.StartAsync(Limit(40));
        var other = await app.CreateUserAsync(Role.Standard);
        const string Path = "/api/v2/actions/app_key_registrations";
        for (var remaining = 39; remaining >= 20; remaining--)
        {
            var allowed = await app.Client.GetJsonAsync(Path);
            Assert.Equal(200, allowed.Status);
            ApiAssert.RateLimitHeaders(allowed, "app_key_registrations", limit: 40, period: Period, remaining);
        }

        var overShare = await app.Client.GetJsonAsync(Path);
        var otherKey = await other.Client.GetJsonAsync(Path);

        ApiAssert.JsonApiBody(overShare, 429, ApiAssert.TooManyRequestsBody);
        ApiAssert.RateLimitHeaders(overShare, "app_key_registrations", limit: 40, period: Period, remaining: 0);
        Assert.Equal(200, otherKey.Status);
        ApiAssert.RateLimitHeaders(otherKey, "app_key_registrations", limit: 40, period: Period, remaining: 19);
    }
}
