using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Access;

/// <summary><c>GET /api/v2/roles</c> and <c>GET /api/v2/users</c>: Datadog's shapes, filters, paging, permission.</summary>
public sealed class DirectoryTests
{
    [Fact]
    public async Task Roles_AreTheThreeManagedRolesWithStableIds()
    {
        await using var app = await TestApp.StartAsync();
        await app.CreateUserAsync(Role.Standard);
        await app.CreateUserAsync(Role.Standard);

        var first = await app.Client.GetJsonAsync("/api/v2/roles");
        var again = await app.Client.GetJsonAsync("/api/v2/roles");

        Assert.Equal(200, first.Status);
        Assert.Equal("application/json", first.ContentType);
        Assert.Equal(first.Body, again.Body);
        var roles = first.Json.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["Datadog Admin Role", "Datadog Read Only Role", "Datadog Standard Role"], roles.Select(r => r.GetProperty("attributes").GetProperty("name").GetString()!).ToArray());
        Assert.Equal([1L, 0L, 2L], roles.Select(r => r.GetProperty("attributes").GetProperty("user_count").GetInt64()).ToArray());
        Assert.All(roles, r =>
        {
            Assert.Equal("roles", r.GetProperty("type").GetString());
            Assert.True(Guid.TryParseExact(r.GetProperty("id").GetString(), "D", out _));
            Assert.True(r.GetProperty("attributes").GetProperty("managed").GetBoolean());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", r.GetProperty("attributes").GetProperty("created_at").GetString());
        });
        Assert.Equal("""{"page":{"total_count":3,"total_filtered_count":3}}""", first.Json.GetProperty("meta").GetRawText());
    }

    [Fact]
    public async Task Roles_FilterSortPageAndIds()
    {
        await using var app = await TestApp.StartAsync();
        var all = (await app.Client.GetJsonAsync("/api/v2/roles")).Json.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

        var filtered = await app.Client.GetJsonAsync("/api/v2/roles?filter=standard");
        var byId = await app.Client.GetJsonAsync($"/api/v2/roles?filter[id]={all[0]},{all[2]},nonsense");
        var sorted = await app.Client.GetJsonAsync("/api/v2/roles?sort=-name&page[size]=1&page[number]=1");
        var badSort = await app.Client.GetJsonAsync("/api/v2/roles?sort=color");

        Assert.Equal(["Datadog Standard Role"], filtered.Json.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("attributes").GetProperty("name").GetString()!).ToArray());
        Assert.Equal("""{"page":{"total_count":3,"total_filtered_count":1}}""", filtered.Json.GetProperty("meta").GetRawText());
        Assert.Equal([all[0], all[2]], byId.Json.Ids().ToArray());
        Assert.Equal(["Datadog Read Only Role"], sorted.Json.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("attributes").GetProperty("name").GetString()!).ToArray());
        Assert.Equal(400, badSort.Status);
        Assert.Equal("application/json", badSort.ContentType);
    }

    [Fact]
    public async Task Users_ListPrincipalsWithTheirRoleAndOrganisation()
    {
        await using var app = await TestApp.StartAsync();
        var identity = app.Service<IIdentityStore>();
        var alice = await identity.CreatePrincipalAsync(app.OrgId, PrincipalKind.User, "Alice", "alice@example.com", Role.ReadOnly, CancellationToken.None);
        var robot = await identity.CreatePrincipalAsync(app.OrgId, PrincipalKind.ServiceAccount, "robot", null, Role.Standard, CancellationToken.None);
        await identity.DisablePrincipalAsync(app.OrgId, robot.Id, CancellationToken.None);
        var roles = (await app.Client.GetJsonAsync("/api/v2/roles")).Json.GetProperty("data").EnumerateArray()
            .ToDictionary(r => r.GetProperty("attributes").GetProperty("name").GetString()!, r => r.GetProperty("id").GetString()!);

        var response = await app.Client.GetJsonAsync("/api/v2/users?filter=ALICE@");
        var disabled = await app.Client.GetJsonAsync("/api/v2/users?filter[status]=Disabled");
        var paged = await app.Client.GetJsonAsync("/api/v2/users?page[size]=2&page[number]=1&sort=name");

        Assert.Equal(200, response.Status);
        Assert.Equal(
            $$$$$"""{"data":[{"type":"users","id":"{{{{{alice.Id}}}}}","attributes":{"name":"Alice","handle":"alice@example.com","created_at":"{{{{{Timestamp(alice.CreatedAt)}}}}}","modified_at":"{{{{{Timestamp(alice.CreatedAt)}}}}}","email":"alice@example.com","title":null,"verified":true,"service_account":false,"disabled":false,"allowed_login_methods":[],"status":"Active"},"relationships":{"roles":{"data":[{"type":"roles","id":"{{{{{roles["Datadog Read Only Role"]}}}}}"}]},"org":{"data":{"type":"orgs","id":"{{{{{app.OrgId}}}}}"}}}}],"meta":{"page":{"total_count":3,"total_filtered_count":1}}}""",
            response.Body);
        var robotData = Assert.Single(disabled.Json.GetProperty("data").EnumerateArray());
        Assert.Equal(robot.Id.ToString(), robotData.GetProperty("id").GetString());
        Assert.True(robotData.GetProperty("attributes").GetProperty("service_account").GetBoolean());
        Assert.Equal("Disabled", robotData.GetProperty("attributes").GetProperty("status").GetString());
        Assert.Equal([robot.Id.ToString()], paged.Json.Ids().ToArray());
    }

    [Fact]
    public async Task Directory_NeedsUserAccessRead_AndShowsOnlyTheCallersOrganisation()
    {
        await using var app = await TestApp.StartAsync();
        var (_, readOnly, _) = await app.CreateUserAsync(Role.ReadOnly);
        var (_, scoped, _) = await app.CreateUserAsync(Role.Admin, ["connections_read"]);
        var other = await app.CreateTenantAsync(registerKey: false);

        var allowedRoles = await readOnly.GetJsonAsync("/api/v2/roles");
        var allowedUsers = await readOnly.GetJsonAsync("/api/v2/users");
        var deniedRoles = await scoped.GetJsonAsync("/api/v2/roles");
        var deniedUsers = await scoped.GetJsonAsync("/api/v2/users");
        var theirs = await other.Client.GetJsonAsync("/api/v2/users");
        var theirRoles = await other.Client.GetJsonAsync("/api/v2/roles");
        var mine = await app.Client.GetJsonAsync("/api/v2/roles");

        Assert.Equal((200, 200), (allowedRoles.Status, allowedUsers.Status));
        Assert.Equal("""403 application/json {"errors":["Forbidden: this operation requires one of the permissions user_access_read"]}""", deniedRoles.ToString());
        Assert.Equal(403, deniedUsers.Status);
        Assert.Equal([other.Created.Admin.Id.ToString()], theirs.Json.Ids().ToArray());
        Assert.Empty(theirRoles.Json.Ids().Intersect(mine.Json.Ids()));
    }

    /// <summary>An organisation that existed before the roles table gets its three roles from the migration, with ids that then stay.</summary>
    [Fact]
    public async Task Migration_GivesExistingOrganisationsTheirRoles()
    {
        using var cli = new CliHarness();
        var org = await cli.CreateOrgAsync();
        // Back to before migration 7, so also before the console's key ring (migration 8).
        await cli.Store.ExecuteAsync("DROP TABLE data_protection_keys; DROP TABLE connection_bindings; DROP TABLE roles; DELETE FROM schema_migrations WHERE version >= 7;");

        var migrate = await cli.RunAsync("migrate");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        await using var server = await cli.StartServerAsync();
        using var client = server.CreateClient(org.ApiKey, org.AppKey);
        var first = await client.GetJsonAsync("/api/v2/roles");
        var users = await client.GetJsonAsync("/api/v2/users");

        Assert.Equal(3, first.Json.GetProperty("data").GetArrayLength());
        var adminRole = first.Json.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("attributes").GetProperty("name").GetString() == "Datadog Admin Role");
        Assert.Equal(1, adminRole.GetProperty("attributes").GetProperty("user_count").GetInt64());
        Assert.Equal(adminRole.GetProperty("id").GetString(),
            users.Json.GetProperty("data")[0].GetProperty("relationships").GetProperty("roles").GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(first.Body, (await client.GetJsonAsync("/api/v2/roles")).Body);
    }

    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", System.Globalization.CultureInfo.InvariantCulture);
}
