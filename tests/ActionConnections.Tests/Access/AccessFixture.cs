using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Access;

/// <summary>
/// One organisation with the five principals of the access matrix, each with a registered
/// application key scoped to everything the matrix exercises (so resolving is allowed by the key):
/// the connection's author and another standard user, a read-only user, a service account
/// (standard role) and an admin. The bootstrap admin (unscoped key) sets policies up.
/// </summary>
internal sealed class AccessFixture : IAsyncDisposable
{
    public static readonly string[] MatrixScopes = ["connections_read", "connection_write", "connections_resolve", "user_access_manage", "user_access_read"];

    private AccessFixture(TestApp app, IReadOnlyDictionary<string, Member> members, IReadOnlyDictionary<string, string> roleIds)
    {
        App = app;
        Members = members;
        RoleIds = roleIds;
    }

    public TestApp App { get; }

    /// <summary>By name: author, standard, read_only, service_account, admin.</summary>
    public IReadOnlyDictionary<string, Member> Members { get; }

    /// <summary>Role ids by key (admin, standard, read_only), from <c>GET /api/v2/roles</c>.</summary>
    public IReadOnlyDictionary<string, string> RoleIds { get; }

    public Member this[string name] => Members[name];

    public static async Task<AccessFixture> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["ActionConnections:ResolveEnabled"] = "true" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = await TestApp.StartAsync(values);
        try
        {
            await app.RegisterBootstrapKeyAsync();
            var members = new Dictionary<string, Member>();
            foreach (var (name, role, kind) in new (string, Role, PrincipalKind)[]
            {
                ("author", Role.Standard, PrincipalKind.User),
                ("standard", Role.Standard, PrincipalKind.User),
                ("read_only", Role.ReadOnly, PrincipalKind.User),
                ("service_account", Role.Standard, PrincipalKind.ServiceAccount),
                ("admin", Role.Admin, PrincipalKind.User),
            })
            {
                var (principal, client, keyId) = await app.CreateUserAsync(role, MatrixScopes, kind);
                var registered = await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{keyId}");
                Assert.Equal(201, registered.Status);
                members[name] = new Member(name, principal, client);
            }

            var roles = await app.Client.GetJsonAsync("/api/v2/roles");
            Assert.Equal(200, roles.Status);
            var roleIds = roles.Json.GetProperty("data").EnumerateArray().ToDictionary(
                r => r.GetProperty("attributes").GetProperty("name").GetString() switch
                {
                    "Datadog Admin Role" => "admin",
                    "Datadog Standard Role" => "standard",
                    _ => "read_only",
                },
                r => r.GetProperty("id").GetString()!);
            return new AccessFixture(app, members, roleIds);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>An OpenAI connection created by the author (secret <paramref name="secret"/>); returns its id.</summary>
    public Task<string> CreateByAuthorAsync(string name = "Shared OpenAI", string secret = "sk-matrix-secret") =>
        this["author"].Client.CreateAsync(
            $$$"""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"{{{secret}}}"}}""", name);

    /// <summary>Sets the connection's policy as the bootstrap admin (who may always), asserting the 200.</summary>
    public async Task SetPolicyAsync(string connectionId, string bindingsJson)
    {
        var response = await App.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/restriction_policy/connection:{connectionId}", PolicyBody(connectionId, bindingsJson));
        Assert.True(response.Status == 200, response.ToString());
    }

    public static string PolicyBody(string connectionId, string bindingsJson) =>
        $$"""{"data":{"id":"connection:{{connectionId}}","type":"restriction_policy","attributes":{"bindings":""" + bindingsJson + "}}}";

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

internal sealed record Member(string Name, Principal Principal, HttpClient Client)
{
    public string Id => Principal.Id.ToString("D");

    public override string ToString() => Name;
}

internal static class JsonElementExtensions
{
    public static IEnumerable<string> Ids(this JsonElement listBody) =>
        listBody.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetString()!);
}
