using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.AppKeyRegistrations;

/// <summary>The four registration operations against docs/reference/BEHAVIOR.md §7–§8 (recorded bodies), as the bootstrap admin.</summary>
public sealed class AppKeyRegistrationTests
{
    private const string Base = "/api/v2/actions/app_key_registrations";
    private const string UnknownKeyId = "57cc69ae-9214-4ecc-8df8-43ecc1d92d99";

    private static string Registration(Guid id) => $$$"""{"data":{"id":"{{{id:D}}}","type":"app_key_registration"}}""";

    [Fact]
    public async Task Register_OwnKey_Returns201WithRegistration()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 201, Registration(app.AppKeyId));
    }

    [Fact]
    public async Task Register_Twice_Returns201AgainAndListsItOnce()
    {
        await using var app = await TestApp.StartAsync();

        var first = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");
        var second = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");
        var list = await app.Client.GetJsonAsync(Base);

        ApiAssert.JsonApiBody(first, 201, Registration(app.AppKeyId));
        ApiAssert.JsonApiBody(second, 201, Registration(app.AppKeyId));
        ApiAssert.JsonApiBody(list, 200, $$$"""{"data":[{"id":"{{{app.AppKeyId:D}}}","type":"app_key_registration"}],"meta":{"total":1,"total_filtered":1}}""");
    }

    [Fact]
    public async Task Register_UppercaseUuid_RegistersTheKeyUnderItsCanonicalId()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId.ToString("D").ToUpperInvariant()}");

        ApiAssert.JsonApiBody(response, 201, Registration(app.AppKeyId));
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}"), 200, Registration(app.AppKeyId));
    }

    [Fact]
    public async Task Get_RegisteredKey_Returns200WithSameBodyAsRegister()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 200, Registration(app.AppKeyId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_UnregisteredOrUnknownKey_Returns404RecordedBody(bool keyExists)
    {
        await using var app = await TestApp.StartAsync();
        var id = keyExists ? app.AppKeyId.ToString() : UnknownKeyId;

        var response = await app.Client.GetJsonAsync($"{Base}/{id}");

        ApiAssert.JsonApiBody(response, 404, ApiAssert.AppKeyNotFoundBody);
    }

    [Fact]
    public async Task Unregister_RegisteredKey_Returns204EmptyThenGetAndDeleteReturn404()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var deleted = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{app.AppKeyId}");
        var get = await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}");
        var again = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{app.AppKeyId}");
        var list = await app.Client.GetJsonAsync(Base);

        ApiAssert.NoContent(deleted);
        ApiAssert.JsonApiBody(get, 404, ApiAssert.AppKeyNotFoundBody);
        ApiAssert.JsonApiBody(again, 404, ApiAssert.AppKeyNotFoundBody);
        ApiAssert.JsonApiBody(list, 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unregister_NeverRegisteredOrUnknownKey_Returns404RecordedBody(bool keyExists)
    {
        await using var app = await TestApp.StartAsync();
        var id = keyExists ? app.AppKeyId.ToString() : UnknownKeyId;

        var response = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{id}");

        ApiAssert.JsonApiBody(response, 404, ApiAssert.AppKeyNotFoundBody);
    }

    [Fact]
    public async Task Register_AgainAfterUnregister_Returns201()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        ApiAssert.NoContent(await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{app.AppKeyId}"));

        var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 201, Registration(app.AppKeyId));
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}"), 200, Registration(app.AppKeyId));
    }

    [Fact]
    public async Task AnyOperation_NonUuidAppKeyId_Returns400RecordedBody()
    {
        await using var app = await TestApp.StartAsync();
        string[] ids =
        [
            "not_valid_app_key_id",
            "bad-format",
            "57cc69ae92144ecc8df843ecc1d92d99",
            "{57cc69ae-9214-4ecc-8df8-43ecc1d92d99}",
            "57cc69ae-9214-4ecc-8df8-43ecc1d92d9",
            "57cc69ae-9214-4ecc-8df8-43ecc1d92d99x",
            "zzcc69ae-9214-4ecc-8df8-43ecc1d92d99",
        ];

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            foreach (var id in ids)
            {
                var response = await app.Client.SendJsonAsync(method, $"{Base}/{Uri.EscapeDataString(id)}");

                Assert.Equal($"{method} {id} -> 400 {ApiAssert.JsonApi} {ApiAssert.InvalidAppKeyIdBody}", $"{method} {id} -> {response}");
            }
        }
    }

    [Fact]
    public async Task Register_UnknownUuid_Returns400()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{UnknownKeyId}");

        ApiAssert.JsonApiBody(response, 400, """{"errors":[{"status":"400","title":"Bad Request","detail":"app key not found"}]}""");
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync(Base), 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
    }

    [Fact]
    public async Task Register_KeyOfAnotherOrganisation_Returns400AndRegistersNothing()
    {
        await using var app = await TestApp.StartAsync();
        var other = await app.CreateTenantAsync(registerKey: false);

        var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{other.AppKeyId}");

        ApiAssert.JsonApiBody(response, 400, """{"errors":[{"status":"400","title":"Bad Request","detail":"app key not found"}]}""");
        ApiAssert.JsonApiBody(await other.Client.GetJsonAsync($"{Base}/{other.AppKeyId}"), 404, ApiAssert.AppKeyNotFoundBody);
    }

    [Fact]
    public async Task Registration_OfAnotherOrganisation_IsInvisibleAndUntouchable()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var other = await app.CreateTenantAsync();

        var get = await other.Client.GetJsonAsync($"{Base}/{app.AppKeyId}");
        var list = await other.Client.GetJsonAsync(Base);
        var delete = await other.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(get, 404, ApiAssert.AppKeyNotFoundBody);
        ApiAssert.JsonApiBody(list, 200, $$$"""{"data":[{"id":"{{{other.AppKeyId:D}}}","type":"app_key_registration"}],"meta":{"total":1,"total_filtered":1}}""");
        ApiAssert.JsonApiBody(delete, 404, ApiAssert.AppKeyNotFoundBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}"), 200, Registration(app.AppKeyId));
    }

    [Fact]
    public async Task Registration_OfDeletedAppKey_IsGone()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Auth.Role.Standard);
        ApiAssert.JsonApiBody(await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}"), 201, Registration(user.AppKeyId));

        Assert.True(await app.Service<IIdentityStore>().DeleteAppKeyAsync(app.OrgId, user.AppKeyId, CancellationToken.None));

        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{user.AppKeyId}"), 404, ApiAssert.AppKeyNotFoundBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync(Base), 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
    }
}
