using System.Text.Json;
using System.Text.RegularExpressions;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>The client scenarios of docs/reference/BEHAVIOR.md §4, §6 and §7, with the recorded bodies.</summary>
public sealed partial class RecordedAwsScenarioTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task Create_AwsAssumeRole_Returns201WithGeneratedIdsAndRecordedShape()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration, "Cassette Connection test"));

        Assert.Equal(201, response.Status);
        Assert.Equal("application/vnd.api+json", response.ContentType);
        var data = response.Json.GetProperty("data");
        var id = data.GetProperty("id").GetString()!;
        Assert.Matches(UuidV4(), id);
        var credentials = data.GetProperty("attributes").GetProperty("integration").GetProperty("credentials");
        var externalId = credentials.GetProperty("external_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", externalId);
        var expected = "{\"data\":{\"id\":\"" + id + "\",\"type\":\"action_connection\",\"attributes\":{\"acting_user_can_resolve\":false,\"external_secrets_manager\":null,"
            + "\"integration\":{\"type\":\"AWS\",\"credentials\":{\"type\":\"AWSAssumeRole\",\"account_id\":\"123456789123\",\"external_id\":\"" + externalId
            + "\",\"principal_id\":\"464622532012\",\"role\":\"MyRoleUpdated\"}},\"is_favorite\":false,\"name\":\"Cassette Connection test\"}}}";
        Assert.Equal(expected, response.Body);
    }

    [Fact]
    public async Task Get_AfterCreate_ReturnsTimestampsRelationshipsAndSameExternalId()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var created = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration));
        var id = created.Json.GetProperty("data").GetProperty("id").GetString();

        var response = await app.Client.GetJsonAsync($"{Connections}/{id}");

        Assert.Equal(200, response.Status);
        var attributes = response.Json.GetProperty("data").GetProperty("attributes");
        Assert.Equal(
            created.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetRawText(),
            attributes.GetProperty("integration").GetRawText());
        Assert.Matches(GoTimestamp(), attributes.GetProperty("created_at").GetString()!);
        Assert.Equal(attributes.GetProperty("created_at").GetString(), attributes.GetProperty("last_updated").GetString());
        Assert.True(attributes.GetProperty("acting_user_can_resolve").GetBoolean());
        Assert.Equal(JsonValueKind.Null, attributes.GetProperty("external_secrets_manager").ValueKind);
        var createdBy = response.Json.GetProperty("data").GetProperty("relationships").GetProperty("created_by").GetProperty("data");
        Assert.Equal(app.AdminId.ToString(), createdBy.GetProperty("id").GetString());
        Assert.Equal("created_by", createdBy.GetProperty("type").GetString());

        // Sent whole with its length, not in chunks.
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(response.Body), response.Message.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Message.Headers.TransferEncodingChunked);
    }

    [Fact]
    public async Task Update_SameBodyAsRecorded_KeepsExternalIdAndReturnsFullResource()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync("""{"credentials":{"account_id":"123456789123","role":"MyRole","type":"AWSAssumeRole"},"type":"AWS"}""");
        var before = (await app.Client.GetJsonAsync($"{Connections}/{id}")).Json;

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$"""{"integration":{{ConnectionBodies.AwsIntegration}},"name":"Cassette Connection"}"""));

        Assert.Equal(200, response.Status);
        var credentials = response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials");
        Assert.Equal("MyRoleUpdated", credentials.GetProperty("role").GetString());
        Assert.Equal(
            before.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("external_id").GetString(),
            credentials.GetProperty("external_id").GetString());
        Assert.Equal("464622532012", credentials.GetProperty("principal_id").GetString());
    }

    [Fact]
    public async Task Update_GenerateNewExternalId_ReplacesExternalIdOnly()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var before = (await app.Client.GetJsonAsync($"{Connections}/{id}")).Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials");

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","generate_new_external_id":true}}}"""));

        Assert.Equal(200, response.Status);
        var after = response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials");
        Assert.NotEqual(before.GetProperty("external_id").GetString(), after.GetProperty("external_id").GetString());
        Assert.Matches("^[0-9a-f]{32}$", after.GetProperty("external_id").GetString()!);
        Assert.Equal(before.GetProperty("account_id").GetString(), after.GetProperty("account_id").GetString());
        Assert.Equal(before.GetProperty("role").GetString(), after.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Create_ExternalIds_AreUniquePerConnection()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var ids = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration));
            ids.Add(response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("external_id").GetString()!);
        }

        Assert.Equal(5, ids.Count);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task CreateOrUpdate_AccountIdNotTwelveDigits_Returns400AtAccountId(string method)
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var bad = """{"credentials":{"account_id":"1","role":"MyRoleUpdated","type":"AWSAssumeRole"},"type":"AWS"}""";

        var response = method == "POST"
            ? await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(bad))
            : await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$"""{"integration":{{bad}}}"""));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/vnd.api+json", response.ContentType);
        Assert.Equal(
            """{"errors":[{"status":"400","title":"Generic Error","detail":"invalid AccountId: value does not match regex pattern \"^\\d{12}$\"","source":{"pointer":"/data/attributes/integration/credentials/account_id"}}]}""",
            response.Body);
        var stored = await app.Client.GetJsonAsync($"{Connections}/{id}");
        Assert.Equal("123456789123", stored.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("account_id").GetString());
    }

    [Fact]
    public async Task Get_BadFormatId_Returns400WithRecordedBody()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.GetJsonAsync($"{Connections}/bad-format");

        Assert.Equal(400, response.Status);
        Assert.Equal("""{"errors":[{"title":"Generic Error","detail":"error connectionId not a valid UUID"}]}""", response.Body);
    }

    [Theory]
    [InlineData("%2057cc69ae-9214-4ecc-8df8-43ecc1d92d99")]
    [InlineData("57cc69ae-9214-4ecc-8df8-43ecc1d92d99%20")]
    [InlineData("57cc69ae92144ecc8df843ecc1d92d99")]
    [InlineData("{57cc69ae-9214-4ecc-8df8-43ecc1d92d99}")]
    public async Task Get_NonCanonicalUuid_Returns400(string id)
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.GetJsonAsync($"{Connections}/{id}");

        Assert.Equal(400, response.Status);
    }

    [Fact]
    public async Task GetUpdateDelete_UnknownId_Return404WithRecordedBodies()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        const string Unknown = "aaa11111-aa11-aa11-aaaa-aaaaaa111111";

        var get = await app.Client.GetJsonAsync($"{Connections}/{Unknown}");
        var update = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{Unknown}", ConnectionBodies.Update($$"""{"integration":{{ConnectionBodies.AwsIntegration}},"name":"Cassette Connection"}"""));
        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{Unknown}");

        Assert.Equal((404, """{"errors":[{"title":"Generic Error","detail":"error getting connection: rpc error: code = NotFound desc = connection not found"}]}"""), (get.Status, get.Body));
        Assert.Equal((404, """{"errors":[{"title":"Generic Error","detail":"error creating connection: rpc error: code = NotFound desc = connection not found"}]}"""), (update.Status, update.Body));
        Assert.Equal((404, """{"errors":[{"title":"Generic Error","detail":"error deleting connection: rpc error: code = NotFound desc = connection not found"}]}"""), (delete.Status, delete.Body));
    }

    [Fact]
    public async Task Delete_Existing_Returns204EmptyThenGetAndDeleteReturn404()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);

        var delete = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}");
        var get = await app.Client.GetJsonAsync($"{Connections}/{id}");
        var again = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}");

        Assert.Equal(204, delete.Status);
        Assert.Equal(string.Empty, delete.Body);
        Assert.Null(delete.ContentType);
        Assert.Equal(404, get.Status);
        Assert.Equal(404, again.Status);
    }

    [Fact]
    public async Task Delete_NonUuidId_Returns404BecauseSpecDocumentsNo400()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/bad-format");

        Assert.Equal(404, response.Status);
        Assert.Equal("""{"errors":[{"title":"Generic Error","detail":"error deleting connection: rpc error: code = NotFound desc = connection not found"}]}""", response.Body);
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})? \+0000 UTC$")]
    private static partial Regex GoTimestamp();
}
