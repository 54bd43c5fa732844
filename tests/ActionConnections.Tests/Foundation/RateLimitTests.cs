using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// Limits are counted per organisation and operation group in clock-aligned windows. The
/// period is a day so that no test can straddle a window boundary.
/// </summary>
public sealed class RateLimitTests
{
    private const int Period = 86400;
    private const string ListPath = "/api/v2/actions/app_key_registrations";

    private static Dictionary<string, string?> Limit(int requests) => new()
    {
        ["ActionConnections:RateLimitRequests"] = requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ActionConnections:RateLimitPeriodSeconds"] = Period.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task ApiResponses_SuccessAndErrors_AllCarryRateLimitHeaders()
    {
        await using var app = await TestApp.StartAsync(Limit(100));
        var registration = $"{ListPath}/{app.AppKeyId}";

        var responses = new[]
        {
            (await app.Client.SendJsonAsync(HttpMethod.Put, registration), 201),
            (await app.Client.GetJsonAsync(registration), 200),
            (await app.Client.GetJsonAsync(ListPath), 200),
            (await app.Client.SendJsonAsync(HttpMethod.Delete, registration), 204),
            (await app.Client.GetJsonAsync(registration), 404),
            (await app.Client.GetJsonAsync($"{ListPath}/not_valid_app_key_id"), 400),
            (await app.Client.GetJsonAsync($"{ListPath}?page[size]=0"), 400),
        };

        var remaining = 99;
        foreach (var (response, status) in responses)
        {
            Assert.Equal(status, response.Status);
            ApiAssert.RateLimitHeaders(response, "app_key_registrations", limit: 100, period: Period, remaining: remaining--);
        }
    }

    [Fact]
    public async Task ApiRequests_PastRateLimitRequests_Return429ErrorBody()
    {
        await using var app = await TestApp.StartAsync(Limit(5));

        for (var remaining = 4; remaining >= 0; remaining--)
        {
            var allowed = await app.Client.GetJsonAsync(ListPath);
            Assert.Equal(200, allowed.Status);
            ApiAssert.RateLimitHeaders(allowed, "app_key_registrations", limit: 5, period: Period, remaining);
        }

        var limited = await app.Client.GetJsonAsync(ListPath);
        var stillLimited = await app.Client.SendJsonAsync(HttpMethod.Put, $"{ListPath}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(limited, 429, ApiAssert.TooManyRequestsBody);
        ApiAssert.RateLimitHeaders(limited, "app_key_registrations", limit: 5, period: Period, remaining: 0);
        ApiAssert.JsonApiBody(stillLimited, 429, ApiAssert.TooManyRequestsBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{ListPath}/{app.AppKeyId}"), 429, ApiAssert.TooManyRequestsBody);
    }

    [Fact]
    public async Task ApiRequests_PastLimitOfOneOrganisation_AnotherOrganisationIsNotLimited()
    {
        await using var app = await TestApp.StartAsync(Limit(5));
        var other = await app.CreateTenantAsync(registerKey: false);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await app.Client.GetJsonAsync(ListPath)).Status);
        }

        Assert.Equal(429, (await app.Client.GetJsonAsync(ListPath)).Status);
        var response = await other.Client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
        ApiAssert.RateLimitHeaders(response, "app_key_registrations", limit: 5, period: Period, remaining: 4);
    }

    [Fact]
    public async Task ApiRequests_PastLimitOfOneGroup_AnotherGroupIsCountedSeparately()
    {
        await using var app = await TestApp.StartAsync(Limit(5));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await app.Client.GetJsonAsync(ListPath)).Status);
        }

        Assert.Equal(429, (await app.Client.GetJsonAsync(ListPath)).Status);
        var otherGroup = await app.Client.GetJsonAsync("/api/v2/unknown_resource");

        Assert.Equal(404, otherGroup.Status);
        ApiAssert.RateLimitHeaders(otherGroup, "api", limit: 5, period: Period, remaining: 4);
    }

    [Fact]
    public async Task ApiRequests_ByTwoUsersOfOneOrganisation_ShareTheOrganisationsLimit()
    {
        await using var app = await TestApp.StartAsync(Limit(5));
        var user = await app.CreateUserAsync(Auth.Role.Standard);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await app.Client.GetJsonAsync(ListPath)).Status);
        }

        var response = await user.Client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 429, ApiAssert.TooManyRequestsBody);
    }
}
