using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.AppKeyRegistrations;

/// <summary>
/// The spec's <c>x-permission</c> per operation: read needs <c>org_app_keys_read</c>; register
/// and unregister need <c>user_access_manage</c> (any key), <c>user_app_keys</c> (own keys) or
/// <c>service_account_write</c> (service accounts' keys). Each operation: allowed and forbidden.
/// </summary>
public sealed class AppKeyRegistrationPermissionTests
{
    private const string Base = "/api/v2/actions/app_key_registrations";
    private const string NeedsReadBody = """{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden: this operation requires one of the permissions org_app_keys_read"}]}""";
    private const string NeedsManageBody = """{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden: this operation requires one of the permissions user_app_keys, user_access_manage, service_account_write"}]}""";
    private const string MayNotManageThisKeyBody = """{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden: you may not manage the registration of this application key"}]}""";

    private static Role ParseRole(string name) => Roles.TryParse(name, out var role) ? role : throw new ArgumentException(name);

    private static string Registration(Guid id) => $$$"""{"data":{"id":"{{{id:D}}}","type":"app_key_registration"}}""";

    [Theory]
    [InlineData("admin")]
    [InlineData("standard")]
    public async Task List_RoleWithOrgAppKeysRead_Returns200(string role)
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var user = await app.CreateUserAsync(ParseRole(role));

        var response = await user.Client.GetJsonAsync(Base);

        ApiAssert.JsonApiBody(response, 200, $$$"""{"data":[{"id":"{{{app.AppKeyId:D}}}","type":"app_key_registration"}],"meta":{"total":1,"total_filtered":1}}""");
    }

    [Fact]
    public async Task List_ReadOnlyUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.ReadOnly);

        var response = await user.Client.GetJsonAsync(Base);

        ApiAssert.JsonApiBody(response, 403, NeedsReadBody);
    }

    [Fact]
    public async Task List_KeyScopedWithoutOrgAppKeysRead_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Admin, ["connections_read"]);

        var response = await user.Client.GetJsonAsync(Base);

        ApiAssert.JsonApiBody(response, 403, NeedsReadBody);
    }

    [Fact]
    public async Task Get_StandardUser_Returns200()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var user = await app.CreateUserAsync(Role.Standard);

        var response = await user.Client.GetJsonAsync($"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 200, Registration(app.AppKeyId));
    }

    [Fact]
    public async Task Get_ReadOnlyUser_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var user = await app.CreateUserAsync(Role.ReadOnly);

        var response = await user.Client.GetJsonAsync($"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 403, NeedsReadBody);
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("read_only")]
    public async Task Register_OwnKeyWithUserAppKeys_Returns201(string role)
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(ParseRole(role));

        var response = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}");

        ApiAssert.JsonApiBody(response, 201, Registration(user.AppKeyId));
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{user.AppKeyId}"), 200, Registration(user.AppKeyId));
    }

    [Fact]
    public async Task Register_StandardUserOnAdminsKey_Returns403AndRegistersNothing()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);

        var response = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 403, MayNotManageThisKeyBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}"), 404, ApiAssert.AppKeyNotFoundBody);
    }

    [Fact]
    public async Task Register_StandardUserOnAnotherUsersKey_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);
        var colleague = await app.CreateUserAsync(Role.Standard);

        var response = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{colleague.AppKeyId}");

        ApiAssert.JsonApiBody(response, 403, MayNotManageThisKeyBody);
    }

    [Fact]
    public async Task Register_AdminWithUserAccessManage_RegistersAnyKeyOfTheOrganisation()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);
        var serviceAccount = await app.CreateUserAsync(Role.Standard, kind: PrincipalKind.ServiceAccount);

        var userKey = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}");
        var serviceAccountKey = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{serviceAccount.AppKeyId}");

        ApiAssert.JsonApiBody(userKey, 201, Registration(user.AppKeyId));
        ApiAssert.JsonApiBody(serviceAccountKey, 201, Registration(serviceAccount.AppKeyId));
    }

    [Fact]
    public async Task Register_WithServiceAccountWrite_RegistersServiceAccountsKeyOnly()
    {
        await using var app = await TestApp.StartAsync();
        var manager = await app.CreateUserAsync(Role.Admin, ["service_account_write"]);
        var serviceAccount = await app.CreateUserAsync(Role.Standard, kind: PrincipalKind.ServiceAccount);
        var user = await app.CreateUserAsync(Role.Standard);

        var serviceAccountKey = await manager.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{serviceAccount.AppKeyId}");
        var userKey = await manager.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}");
        var ownKey = await manager.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{manager.AppKeyId}");

        ApiAssert.JsonApiBody(serviceAccountKey, 201, Registration(serviceAccount.AppKeyId));
        ApiAssert.JsonApiBody(userKey, 403, MayNotManageThisKeyBody);
        ApiAssert.JsonApiBody(ownKey, 403, MayNotManageThisKeyBody);
    }

    [Fact]
    public async Task Register_KeyScopedToConnectionsRead_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Admin, ["connections_read"]);

        var ownKey = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}");
        var adminKey = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(ownKey, 403, NeedsManageBody);
        ApiAssert.JsonApiBody(adminKey, 403, NeedsManageBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync(Base), 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
    }

    [Fact]
    public async Task Register_KeyScopedToUserAppKeys_RegistersOwnKey()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Admin, ["user_app_keys"]);

        var ownKey = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}");
        var adminKey = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(ownKey, 201, Registration(user.AppKeyId));
        ApiAssert.JsonApiBody(adminKey, 403, MayNotManageThisKeyBody);
    }

    [Fact]
    public async Task Unregister_StandardUserOwnKey_Returns204()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);
        ApiAssert.JsonApiBody(await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}"), 201, Registration(user.AppKeyId));

        var response = await user.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{user.AppKeyId}");

        ApiAssert.NoContent(response);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{user.AppKeyId}"), 404, ApiAssert.AppKeyNotFoundBody);
    }

    [Fact]
    public async Task Unregister_AdminOnAnotherUsersKey_Returns204()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Standard);
        ApiAssert.JsonApiBody(await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}"), 201, Registration(user.AppKeyId));

        var response = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{user.AppKeyId}");

        ApiAssert.NoContent(response);
    }

    [Fact]
    public async Task Unregister_StandardUserOnAdminsKey_Returns403AndKeepsRegistration()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var user = await app.CreateUserAsync(Role.Standard);

        var response = await user.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{app.AppKeyId}");

        ApiAssert.JsonApiBody(response, 403, MayNotManageThisKeyBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{app.AppKeyId}"), 200, Registration(app.AppKeyId));
    }

    [Fact]
    public async Task Unregister_KeyScopedToConnectionsRead_Returns403AndKeepsRegistration()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.Admin, ["connections_read"]);
        ApiAssert.JsonApiBody(await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{user.AppKeyId}"), 201, Registration(user.AppKeyId));

        var response = await user.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{user.AppKeyId}");

        ApiAssert.JsonApiBody(response, 403, NeedsManageBody);
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync($"{Base}/{user.AppKeyId}"), 200, Registration(user.AppKeyId));
    }

    [Fact]
    public async Task Unregister_WithServiceAccountWrite_UnregistersServiceAccountsKey()
    {
        await using var app = await TestApp.StartAsync();
        var manager = await app.CreateUserAsync(Role.Admin, ["service_account_write"]);
        var serviceAccount = await app.CreateUserAsync(Role.Standard, kind: PrincipalKind.ServiceAccount);
        ApiAssert.JsonApiBody(await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{serviceAccount.AppKeyId}"), 201, Registration(serviceAccount.AppKeyId));

        var response = await manager.Client.SendJsonAsync(HttpMethod.Delete, $"{Base}/{serviceAccount.AppKeyId}");

        ApiAssert.NoContent(response);
    }

    [Fact]
    public async Task Register_ScopeCannotExceedOwnersRole()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Role.ReadOnly, ["user_access_manage", "org_app_keys_read"]);

        var register = await user.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{app.AppKeyId}");
        var list = await user.Client.GetJsonAsync(Base);

        ApiAssert.JsonApiBody(register, 403, NeedsManageBody);
        ApiAssert.JsonApiBody(list, 403, NeedsReadBody);
    }
}
