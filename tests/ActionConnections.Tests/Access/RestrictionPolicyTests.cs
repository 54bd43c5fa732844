using ActionConnections.Access;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Access;

/// <summary>The Restriction Policies API for connections: shapes, validation, self-lockout, tenancy, audit.</summary>
public sealed class RestrictionPolicyTests
{
    private const string Policies = "/api/v2/restriction_policy";

    [Fact]
    public async Task Get_ConnectionWithoutPolicy_AnswersEmptyBindingsInDatadogsShape()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();

        var response = await f["standard"].Client.GetJsonAsync($"{Policies}/connection:{id}");

        Assert.Equal(
            $$$$"""200 application/json {"data":{"type":"restriction_policy","id":"connection:{{{{id}}}}","attributes":{"bindings":[]}}}""",
            response.ToString());
    }

    /// <summary>
    /// Terraform's recorded <c>TestAccRestrictionPolicyBasic</c> (2025-09-10), replayed on a
    /// connection: find the admin role by name, POST the recorded body, GET it back, DELETE it.
    /// Ids are the recording's mapped to ours; every byte else is the recording's.
    /// </summary>
    [Fact]
    public async Task TerraformRecording_RestrictionPolicyBasic_ReplaysOnAConnection()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var roles = await f.App.Client.GetJsonAsync("/api/v2/roles?filter=Datadog+Admin+Role");
        Assert.Equal(200, roles.Status);
        var role = Assert.Single(roles.Json.GetProperty("data").EnumerateArray());
        Assert.Equal("Datadog Admin Role", role.GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(3, roles.Json.GetProperty("meta").GetProperty("page").GetProperty("total_count").GetInt64());
        Assert.Equal(1, roles.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt64());
        var roleId = role.GetProperty("id").GetString();
        var resource = $"connection:{id}";

        // The recorded request body, with the recording's org and role ids mapped to ours.
        var body = $$$"""{"data":{"attributes":{"bindings":[{"principals":["org:{{{f.App.OrgId}}}","role:{{{roleId}}}"],"relation":"editor"}]},"id":"{{{resource}}}","type":"restriction_policy"}}""" + "\n";
        var recorded = $$$$"""{"data":{"type":"restriction_policy","id":"{{{{resource}}}}","attributes":{"bindings":[{"relation":"editor","principals":["org:{{{{f.App.OrgId}}}}","role:{{{{roleId}}}}"]}]}}}""";

        var post = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/{resource}", body);
        var get = await f.App.Client.GetJsonAsync($"{Policies}/{resource}");
        var delete = await f.App.Client.SendJsonAsync(HttpMethod.Delete, $"{Policies}/{resource}");
        var after = await f.App.Client.GetJsonAsync($"{Policies}/{resource}");

        Assert.Equal($"200 application/json {recorded}", post.ToString());
        Assert.Equal($"200 application/json {recorded}", get.ToString());
        Assert.Equal(204, delete.Status);
        Assert.Equal("", delete.Body);
        Assert.Equal($$$$"""{"data":{"type":"restriction_policy","id":"{{{{resource}}}}","attributes":{"bindings":[]}}}""", after.Body);
    }

    /// <summary>The recorded 400s of Datadog's clients and Terraform, word for word.</summary>
    [Fact]
    public async Task RecordedBadRequests_AreReproduced()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var org = f.App.OrgId;
        var recordedBody = $$$"""{"data":{"attributes":{"bindings":[{"principals":["org:{{{org}}}"],"relation":"editor"}]},"id":"dashboard:abc-def-ghi","type":"restriction_policy"}}""";

        var malformedGet = await f.App.Client.GetJsonAsync($"{Policies}/malformed");
        var malformedDelete = await f.App.Client.SendJsonAsync(HttpMethod.Delete, $"{Policies}/malformed");
        var malformedPost = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/malformed", recordedBody);
        var wrongType = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/security_rule:xs9-9lw-fjj", recordedBody);
        var badPrincipal = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}",
            AccessFixture.PolicyBody(id, $$"""[{"principals":["foo:{{org}}","org:{{org}}"],"relation":"editor"}]"""));

        const string Malformed = """400 application/json {"errors":["Invalid resource: 'malformed' is not in a valid format"]}""";
        Assert.Equal(Malformed, malformedGet.ToString());
        Assert.Equal(Malformed, malformedDelete.ToString());
        Assert.Equal(Malformed, malformedPost.ToString());
        Assert.Equal("""400 application/json {"errors":["Invalid resource type: 'security_rule' does not support restriction policies"]}""", wrongType.ToString());
        Assert.Equal(400, badPrincipal.Status);
        Assert.Contains($"[PrincipalTypeInvalidForRelation] principal \\\"foo:{org}\\\" is not supported by \\\"editor\\\" relation", badPrincipal.Body, StringComparison.Ordinal);
        Assert.Contains("/data/attributes/bindings/0/principals/0", badPrincipal.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_InvalidEntries_Are400NamingEachWithItsPointer()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var other = await f.App.CreateTenantAsync();
        var otherUser = other.Created.Admin.Id;
        var otherRoles = await other.Client.GetJsonAsync("/api/v2/roles");
        var otherRole = otherRoles.Json.GetProperty("data")[0].GetProperty("id").GetString();
        var bindings = $$"""
            [{"relation":"editor","principals":["team:{{Guid.NewGuid()}}","org:{{other.OrgId}}","user:{{otherUser}}","role:{{otherRole}}"]},
             {"relation":"runner","principals":["user:not-a-uuid"]}]
            """;

        var response = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}", AccessFixture.PolicyBody(id, bindings));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/json", response.ContentType);
        var errors = response.Json.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("/data/attributes/bindings/0/principals/0", StringComparison.Ordinal) && e.Contains("team principals are not supported yet", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/data/attributes/bindings/0/principals/1", StringComparison.Ordinal) && e.Contains("is not your organisation", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/data/attributes/bindings/1/relation", StringComparison.Ordinal) && e.Contains("\"runner\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/data/attributes/bindings/1/principals/0", StringComparison.Ordinal) && e.Contains("not in a valid format", StringComparison.Ordinal));

        // Well-formed ids of another organisation's user and role are unknown here.
        var foreign = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}",
            AccessFixture.PolicyBody(id, $$"""[{"relation":"viewer","principals":["user:{{otherUser}}","role:{{otherRole}}"]}]"""));
        Assert.Equal(400, foreign.Status);
        Assert.Contains($"user:{otherUser}\\\" is not a user or service account of your organisation", foreign.Body, StringComparison.Ordinal);
        Assert.Contains($"role:{otherRole}\\\" is not a role of your organisation", foreign.Body, StringComparison.Ordinal);

        // Nothing was stored by any of them.
        var get = await f.App.Client.GetJsonAsync($"{Policies}/connection:{id}");
        Assert.Contains("\"bindings\":[]", get.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_OtherResourceTypesAndOtherOrganisationsConnections_AreRefused()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var other = await f.App.CreateTenantAsync();

        var dashboard = await f.App.Client.GetJsonAsync($"{Policies}/dashboard:abc-def-ghi");
        var theirs = await other.Client.GetJsonAsync($"{Policies}/connection:{id}");
        var missing = await other.Client.GetJsonAsync($"{Policies}/connection:{Guid.NewGuid()}");
        var theirsPost = await other.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}",
            AccessFixture.PolicyBody(id, $$"""[{"relation":"editor","principals":["org:{{other.OrgId}}"]}]"""));
        var theirsDelete = await other.Client.SendJsonAsync(HttpMethod.Delete, $"{Policies}/connection:{id}");

        Assert.Equal(400, dashboard.Status);
        Assert.Contains("'dashboard' is not supported by this server", dashboard.Body, StringComparison.Ordinal);
        Assert.Equal(404, theirs.Status);
        Assert.Equal(missing.Body.Replace(missing.Body[(missing.Body.IndexOf("connection:", StringComparison.Ordinal) + 11)..][..36], id, StringComparison.Ordinal), theirs.Body);
        Assert.Equal(404, theirsPost.Status);
        Assert.Equal(404, theirsDelete.Status);
        Assert.Contains("\"bindings\":[]", (await f.App.Client.GetJsonAsync($"{Policies}/connection:{id}")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_RemovingOwnEditor_Is400UnlessAllowSelfLockout()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var author = f["author"];
        var bindings = $$"""[{"relation":"viewer","principals":["user:{{author.Id}}"]},{"relation":"editor","principals":["user:{{f["standard"].Id}}"]}]""";

        var refused = await author.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}", AccessFixture.PolicyBody(id, bindings));
        var badFlag = await author.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}?allow_self_lockout=maybe", AccessFixture.PolicyBody(id, bindings));
        var stillEditor = await author.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"still mine"}"""));
        var allowed = await author.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}?allow_self_lockout=true", AccessFixture.PolicyBody(id, bindings));
        var nowViewer = await author.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"not mine"}"""));
        var canRead = await author.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
        var newEditor = await f["standard"].Client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{id}", ConnectionBodies.Update("""{"name":"theirs"}"""));

        Assert.Equal(400, refused.Status);
        Assert.Contains("would remove your own editor access", refused.Body, StringComparison.Ordinal);
        Assert.Contains("allow_self_lockout=true", refused.Body, StringComparison.Ordinal);
        Assert.Equal(400, badFlag.Status);
        Assert.Equal(200, stillEditor.Status);
        Assert.Equal(200, allowed.Status);
        Assert.Equal(403, nowViewer.Status);
        Assert.Equal(200, canRead.Status);
        Assert.Equal(200, newEditor.Status);
    }

    [Fact]
    public async Task Bindings_OfOneRelation_AreMergedAndRepeatedPrincipalsDropped()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        var a = f["author"].Id;
        var s = f["standard"].Id;

        var response = await f.App.Client.SendJsonAsync(HttpMethod.Post, $"{Policies}/connection:{id}", AccessFixture.PolicyBody(id,
            $$"""[{"relation":"editor","principals":["user:{{a}}"]},{"relation":"viewer","principals":["user:{{s}}"]},{"relation":"editor","principals":["user:{{a}}","user:{{s}}"]}]"""));

        Assert.Equal(
            $$$$"""{"data":{"type":"restriction_policy","id":"connection:{{{{id}}}}","attributes":{"bindings":[{"relation":"editor","principals":["user:{{{{a}}}}","user:{{{{s}}}}"]},{"relation":"viewer","principals":["user:{{{{s}}}}"]}]}}}""",
            response.Body);
    }

    [Fact]
    public async Task PolicyChanges_AreAuditedWithinTheirTransaction()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        await f.SetPolicyAsync(id, $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]}]""");
        Assert.Equal(204, (await f.App.Client.SendJsonAsync(HttpMethod.Delete, $"{Policies}/connection:{id}")).Status);
        Assert.Equal(403, (await f["standard"].Client.SendJsonAsync(HttpMethod.Delete, $"{Policies}/connection:{id}")).Status);

        var events = await f.App.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=restriction_policy.delete");
        var update = await f.App.Client.GetJsonAsync("/api/v2/actionconnections/audit_events?filter[action]=restriction_policy.update");

        var deletes = events.Json.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("attributes")).ToList();
        Assert.Equal([("failure", 403, f["standard"].Id), ("success", 204, f.App.AdminId.ToString())],
            deletes.Select(e => (e.GetProperty("outcome").GetString(), e.GetProperty("status").GetInt32(), e.GetProperty("principal_id").GetString())).ToArray());
        Assert.All(deletes, e => Assert.Equal($"connection:{id}", e.GetProperty("target_id").GetString()));
        var u = Assert.Single(update.Json.GetProperty("data").EnumerateArray()).GetProperty("attributes");
        Assert.Equal(("restriction_policy", "success"), (u.GetProperty("target_type").GetString(), u.GetProperty("outcome").GetString()));
        Assert.Equal($$"""{"bindings":[{"relation":"editor","principals":["user:{{f["author"].Id}}"]}]}""", u.GetProperty("detail").GetString());
        Assert.Equal("""{"bindings":[]}""", deletes[1].GetProperty("detail").GetString());
        Assert.False(deletes[0].TryGetProperty("detail", out _));
    }

    [Fact]
    public async Task DeletingConnection_DeletesItsPolicy()
    {
        await using var f = await AccessFixture.StartAsync();
        var id = await f.CreateByAuthorAsync();
        await f.SetPolicyAsync(id, $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]},{"relation":"viewer","principals":["org:{{f.App.OrgId}}"]}]""");
        var connectionId = Guid.Parse(id);
        Assert.Equal(2, (await f.App.Service<IAccessStore>().BindingsOfAsync(f.App.OrgId, [connectionId], CancellationToken.None))[connectionId].Count);

        Assert.Equal(204, (await f["author"].Client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/connections/{id}")).Status);

        Assert.Empty(await f.App.Service<IAccessStore>().BindingsOfAsync(f.App.OrgId, [connectionId], CancellationToken.None));
        Assert.Equal(404, (await f.App.Client.GetJsonAsync($"{Policies}/connection:{id}")).Status);
    }

    [Fact]
    public async Task PolicyChange_ThroughThisServer_AppliesAtOnceEvenWithTheCacheOn()
    {
        await using var f = await AccessFixture.StartAsync(new Dictionary<string, string?> { ["ActionConnections:AuthCacheSeconds"] = "30" });
        var id = await f.CreateByAuthorAsync();
        var sa = f["service_account"];
        Assert.Equal(200, (await sa.Client.GetJsonAsync($"/api/v2/actions/connections/{id}")).Status);

        await f.SetPolicyAsync(id, $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]}]""");
        var hidden = await sa.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");
        await f.SetPolicyAsync(id, $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]},{"relation":"resolver","principals":["user:{{sa.Id}}"]}]""");
        var shared = await sa.Client.GetJsonAsync($"/api/v2/actions/connections/{id}");

        Assert.Equal(404, hidden.Status);
        Assert.Equal(200, shared.Status);
        Assert.True(shared.Json.GetProperty("data").GetProperty("attributes").GetProperty("acting_user_can_resolve").GetBoolean());
    }

    [Fact]
    public async Task List_FiltersByVisibilityBeforePaging()
    {
        await using var f = await AccessFixture.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await f.CreateByAuthorAsync($"conn-{i}"));
        }

        // Hide the first three from everyone but the author; the service account still sees two.
        foreach (var id in ids.Take(3))
        {
            await f.SetPolicyAsync(id, $$"""[{"relation":"editor","principals":["user:{{f["author"].Id}}"]}]""");
        }

        var page0 = await f["service_account"].Client.GetJsonAsync("/api/v2/actions/connections?page[size]=1&page[number]=0");
        var page1 = await f["service_account"].Client.GetJsonAsync("/api/v2/actions/connections?page[size]=1&page[number]=1");
        var filtered = await f["service_account"].Client.GetJsonAsync("/api/v2/actions/connections?filter[name]=conn-");
        var author = await f["author"].Client.GetJsonAsync("/api/v2/actions/connections");

        Assert.Equal([ids[3]], page0.Json.Ids().ToArray());
        Assert.Equal([ids[4]], page1.Json.Ids().ToArray());
        Assert.Equal("""{"total":2,"total_filtered":2}""", page0.Json.GetProperty("meta").GetRawText());
        Assert.Equal("""{"total":2,"total_filtered":2}""", filtered.Json.GetProperty("meta").GetRawText());
        Assert.Equal(ids, author.Json.Ids().ToList());
        Assert.All(author.Json.GetProperty("data").EnumerateArray(), d => Assert.True(d.GetProperty("attributes").GetProperty("acting_user_can_resolve").GetBoolean()));
    }
}
