using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// The gateway in front of <c>/api/v2</c>: both keys of one organisation, and every way of
/// failing looks the same (one 403 body, never a 401), so keys cannot be probed.
/// </summary>
public sealed class AuthenticationTests
{
    private const string ListPath = "/api/v2/actions/app_key_registrations";
    private const string UnknownApiKey = "ffffffffffffffffffffffffffffffff";
    private const string UnknownAppKey = "ffffffffffffffffffffffffffffffffffffffff";

    [Fact]
    public async Task ApiRequest_WithBootstrapKeys_IsAuthenticated()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
    }

    [Fact]
    public async Task ApiRequest_MissingOrUnknownKey_Returns403Forbidden()
    {
        await using var app = await TestApp.StartAsync();
        (string Case, string? ApiKey, string? AppKey)[] cases =
        [
            ("no keys", null, null),
            ("no API key", null, TestApp.AppKey),
            ("no application key", TestApp.ApiKey, null),
            ("empty API key", "", TestApp.AppKey),
            ("empty application key", TestApp.ApiKey, ""),
            ("unknown API key", UnknownApiKey, TestApp.AppKey),
            ("unknown application key", TestApp.ApiKey, UnknownAppKey),
            ("keys swapped", TestApp.AppKey, TestApp.ApiKey),
            ("API key as both", TestApp.ApiKey, TestApp.ApiKey),
            ("upper-cased keys", TestApp.ApiKey.ToUpperInvariant(), TestApp.AppKey.ToUpperInvariant()),
        ];

        foreach (var (name, apiKey, appKey) in cases)
        {
            using var client = app.CreateClient(apiKey, appKey);

            var response = await client.GetJsonAsync(ListPath);

            Assert.Equal($"{name}: 403 {ApiAssert.JsonApi} {ApiAssert.ForbiddenBody}", $"{name}: {response}");
            Assert.Empty(response.Message.Headers.WwwAuthenticate);
        }
    }

    [Fact]
    public async Task ApiRequest_OversizedKeyHeaders_Returns403Forbidden()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.CreateClient(TestApp.ApiKey + new string('a', 300), TestApp.AppKey + new string('a', 300));

        var response = await client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 403, ApiAssert.ForbiddenBody);
    }

    [Fact]
    public async Task ApiRequest_AppKeyOfAnotherOrganisation_Returns403Forbidden()
    {
        await using var app = await TestApp.StartAsync();
        var other = await app.CreateTenantAsync();
        using var mixed = app.CreateClient(TestApp.ApiKey, other.Created.AppKey.Key);
        using var mixedTheOtherWay = app.CreateClient(other.Created.ApiKey.Key, TestApp.AppKey);

        var response = await mixed.GetJsonAsync(ListPath);
        var otherWay = await mixedTheOtherWay.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 403, ApiAssert.ForbiddenBody);
        ApiAssert.JsonApiBody(otherWay, 403, ApiAssert.ForbiddenBody);
        Assert.Equal(200, (await other.Client.GetJsonAsync(ListPath)).Status);
    }

    [Fact]
    public async Task ApiRequest_DisabledPrincipalsKey_Returns403Forbidden()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);
        Assert.Equal(200, (await user.Client.GetJsonAsync(ListPath)).Status);

        Assert.True(await app.Service<IIdentityStore>().DisablePrincipalAsync(app.OrgId, user.Principal.Id, CancellationToken.None));
        var response = await user.Client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 403, ApiAssert.ForbiddenBody);
    }

    [Fact]
    public async Task ApiRequest_DeletedAppKey_Returns403Forbidden()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);
        Assert.Equal(200, (await user.Client.GetJsonAsync(ListPath)).Status);

        Assert.True(await app.Service<IIdentityStore>().DeleteAppKeyAsync(app.OrgId, user.AppKeyId, CancellationToken.None));
        var response = await user.Client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 403, ApiAssert.ForbiddenBody);
    }

    [Fact]
    public async Task ApiRequest_AuthenticationFailure_CarriesRateLimitHeadersAndLogsNoKey()
    {
        await using var app = await TestApp.StartAsync();
        using var client = app.CreateClient(UnknownApiKey, UnknownAppKey);

        var response = await client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(response, 403, ApiAssert.ForbiddenBody);
        ApiAssert.RateLimitHeaders(response, "authentication", limit: 120, period: 60, remaining: 119);
        Assert.DoesNotContain(UnknownApiKey, app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(UnknownAppKey, app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.ApiKey, app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiRequest_FailuresPastAuthFailureLimit_Returns429EvenWithValidKeys()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:AuthFailureLimit"] = "3",
            ["ActionConnections:RateLimitPeriodSeconds"] = "86400",
        });
        using var bad = app.CreateClient(UnknownApiKey, TestApp.AppKey);

        for (var remaining = 2; remaining >= 0; remaining--)
        {
            var failure = await bad.GetJsonAsync(ListPath);
            ApiAssert.JsonApiBody(failure, 403, ApiAssert.ForbiddenBody);
            ApiAssert.RateLimitHeaders(failure, "authentication", limit: 3, period: 86400, remaining);
        }

        var limited = await bad.GetJsonAsync(ListPath);
        var validButLimited = await app.Client.GetJsonAsync(ListPath);

        ApiAssert.JsonApiBody(limited, 429, ApiAssert.TooManyRequestsBody);
        ApiAssert.RateLimitHeaders(limited, "authentication", limit: 3, period: 86400, remaining: 0);
        ApiAssert.JsonApiBody(validButLimited, 429, ApiAssert.TooManyRequestsBody);
    }

    [Fact]
    public async Task ApiRequest_SuccessfulRequests_DoNotCountAsAuthFailures()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:AuthFailureLimit"] = "2",
            ["ActionConnections:RateLimitPeriodSeconds"] = "86400",
        });
        using var bad = app.CreateClient(UnknownApiKey, UnknownAppKey);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await app.Client.GetJsonAsync(ListPath)).Status);
        }

        var first = await bad.GetJsonAsync(ListPath);
        var second = await bad.GetJsonAsync(ListPath);
        var third = await bad.GetJsonAsync(ListPath);

        Assert.Equal(403, first.Status);
        Assert.Equal(403, second.Status);
        ApiAssert.JsonApiBody(third, 429, ApiAssert.TooManyRequestsBody);
    }

    [Fact]
    public async Task NonApiPath_WithoutKeys_IsNotBehindTheGateway()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(null, null);

        var response = await anonymous.GetJsonAsync("/not-the-api");

        ApiAssert.JsonApiBody(response, 404, """{"errors":[{"status":"404","title":"Not Found","detail":"Not Found"}]}""");
        Assert.Null(response.Header("X-RateLimit-Name"));
    }
}
