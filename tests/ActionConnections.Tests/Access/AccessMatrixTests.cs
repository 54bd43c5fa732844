using System.Text;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Access;

/// <summary>
/// The access matrix: principals (author, another standard user, a read-only user, a service
/// account, an admin) × bindings (none, user, role, org) × operations (get, list, patch, resolve,
/// policy get/post/delete, delete), each answer asserted. Every mismatch of a scenario is reported
/// at once.
/// </summary>
public sealed class AccessMatrixTests
{
    private const string Connections = "/api/v2/actions/connections";

    /// <summary>The author last: in every scenario it is the only editor, and its DELETE ends the connection.</summary>
    private static readonly string[] Order = ["standard", "read_only", "service_account", "admin", "author"];

    [Theory]
    [InlineData("none")]
    [InlineData("user")]
    [InlineData("role")]
    [InlineData("org")]
    public async Task Matrix_EveryPrincipalAndOperation_AnswersAsItsRelationAllows(string scenario)
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var bindings = scenario switch
        {
            "none" => "[]",
            "user" => $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]},{"relation":"resolver","principals":["user:{{f["service_account"].Id}}"]}]""",
            "role" => $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]},{"relation":"resolver","principals":["role:{{f.RoleIds["standard"]}}"]}]""",
            _ => $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]},{"relation":"viewer","principals":["org:{{f.App.OrgId}}"]}]""",
        };
        await f.SetPolicyAsync(id, bindings);

        var expected = new Dictionary<string, char>(StringComparer.Ordinal)
        {
            // E editor, R resolver, V viewer, - none (invisible)
            ["none"] = 'V',
            ["user"] = '-',
            ["role"] = '-',
            ["org"] = 'V',
        };
        var failures = new StringBuilder();
        foreach (var name in Order)
        {
            var relation = (scenario, name) switch
            {
                (_, "author") => 'E',
                ("user", "service_account") => 'R',
                ("role", "standard" or "service_account") => 'R',
                _ => expected[scenario],
            };
            await CheckAsync(f, f[name], id, bindings, relation, failures);
        }

        Assert.True(failures.Length == 0, $"scenario {scenario}:\n{failures}");
    }

    private static async Task CheckAsync(AccessFixture f, Member who, string id, string bindings, char relation, StringBuilder failures)
    {
        var client = who.Client;
        var canWrite = who.Name != "read_only";
        var canResolvePermission = who.Name != "read_only";
        var isAdmin = who.Name == "admin";
        var visible = relation != '-';
        var editor = relation == 'E';
        var resolver = relation is 'R' or 'E';

        void Expect(string operation, int expectedStatus, TestResponse response)
        {
            if (response.Status != expectedStatus)
            {
                failures.AppendLine($"  {who} ({relation}) {operation}: expected {expectedStatus}, got {response}");
            }
        }

        var get = await client.GetJsonAsync($"{Connections}/{id}");
        Expect("GET", visible ? 200 : 404, get);
        if (!visible && get.Body != NotFoundBody("error getting connection"))
        {
            failures.AppendLine($"  {who} GET of an invisible connection differs from a missing one: {get.Body}");
        }

        if (get.Status == 200)
        {
            var canResolve = get.Json.GetProperty("data").GetProperty("attributes").GetProperty("acting_user_can_resolve").GetBoolean();
            if (canResolve != (resolver && canResolvePermission))
            {
                failures.AppendLine($"  {who} ({relation}) acting_user_can_resolve: {canResolve}");
            }
        }

        var list = await client.GetJsonAsync(Connections);
        var listed = list.Status == 200 && list.Json.Ids().Contains(id);
        var total = list.Status == 200 ? list.Json.GetProperty("meta").GetProperty("total").GetInt64() : -1;
        if (listed != visible || total != (visible ? 1 : 0))
        {
            failures.AppendLine($"  {who} ({relation}) list: listed {listed}, total {total}: {list.Body}");
        }

        var patch = await client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"name":"Shared OpenAI"}"""));
        Expect("PATCH", !canWrite ? 403 : !visible ? 404 : editor ? 200 : 403, patch);

        var resolve = await client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/resolve");
        Expect("resolve", !canResolvePermission ? 403 : !visible ? 404 : resolver ? 200 : 403, resolve);

        // Using the connection: a resolver gets past the access check to the executor, which refuses
        // a URL of another host (400) before anything is sent; a viewer gets 403, an outsider 404.
        var use = await client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/http_requests",
            """{"data":{"type":"http_request","attributes":{"method":"GET","url":"https://elsewhere.invalid/v1/models"}}}""");
        Expect("http_requests", !canResolvePermission ? 403 : !visible ? 404 : resolver ? 400 : 403, use);
        if (!visible && use.Status == 404 && use.Body != NotFoundBody("error using connection"))
        {
            failures.AppendLine($"  {who} http_requests of an invisible connection differs from a missing one: {use.Body}");
        }

        // Minting: the connection is not a cloud one, so a resolver gets the 400 that says so.
        var mint = await client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{id}/credentials");
        Expect("credentials", !canResolvePermission ? 403 : !visible ? 404 : resolver ? 400 : 403, mint);
        if (!visible && mint.Status == 404 && mint.Body != NotFoundBody("error getting connection"))
        {
            failures.AppendLine($"  {who} credentials of an invisible connection differs from a missing one: {mint.Body}");
        }

        var policyPath = $"/api/v2/restriction_policy/connection:{id}";
        var policyGet = await client.GetJsonAsync(policyPath);
        Expect("policy GET", visible || isAdmin ? 200 : 404, policyGet);

        var mayManage = editor || isAdmin;
        var policyPost = await client.SendJsonAsync(HttpMethod.Post, policyPath, AccessFixture.PolicyBody(id, bindings));
        Expect("policy POST", mayManage ? 200 : visible ? 403 : 404, policyPost);

        var policyDelete = await client.SendJsonAsync(HttpMethod.Delete, policyPath);
        Expect("policy DELETE", mayManage ? 204 : visible ? 403 : 404, policyDelete);
        if (policyDelete.Status == 204)
        {
            await f.SetPolicyAsync(id, bindings);
        }

        var delete = await client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}");
        Expect("DELETE", !canWrite ? 403 : !visible ? 404 : editor ? 204 : 403, delete);
        if (!visible && delete.Status == 404 && delete.Body != NotFoundBody("error deleting connection"))
        {
            failures.AppendLine($"  {who} DELETE of an invisible connection differs from a missing one: {delete.Body}");
        }
    }

    private static string NotFoundBody(string operation) =>
        $$"""{"errors":[{"title":"Generic Error","detail":"{{operation}}: rpc error: code = NotFound desc = connection not found"}]}""";
}
