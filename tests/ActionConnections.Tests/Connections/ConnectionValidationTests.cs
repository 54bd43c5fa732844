using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>Bad bodies get every error at once, each with its JSON pointer, and change nothing.</summary>
public sealed class ConnectionValidationTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task Create_SeveralProblems_ReportsEveryErrorWithPointer()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections,
            """{"data":{"type":"connection","attributes":{"name":42,"tags":["bad"],"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","role":true}}}}}""");

        Assert.Equal(400, response.Status);
        Assert.Equal("application/vnd.api+json", response.ContentType);
        var errors = response.Json.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("source").GetProperty("pointer").GetString(), e.GetProperty("status").GetString(), e.GetProperty("title").GetString()))
            .ToList();
        Assert.Equal(
            [
                "/data/type",
                "/data/attributes/name",
                "/data/attributes/integration/credentials/account_id",
                "/data/attributes/integration/credentials/role",
                "/data/attributes/tags/0",
            ],
            errors.Select(e => e.Item1!).ToArray());
        Assert.All(errors, e => Assert.Equal(("400", "Generic Error"), (e.Item2, e.Item3)));
        await AssertNoConnectionsAsync(app);
    }

    [Fact]
    public async Task Create_UnknownIntegrationType_Returns400ListingAllowedValues()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create("""{"type":"Jira","credentials":{"type":"JiraKey"}}"""));

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal("/data/attributes/integration/type", error.GetProperty("source").GetProperty("pointer").GetString());
        var detail = error.GetProperty("detail").GetString()!;
        foreach (var type in new[] { "AWS", "HTTP", "OpenAI" })
        {
            Assert.Contains(type, detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Create_DiscriminatorsLastAndUnknownMembers_AreAccepted()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections,
            """{"extra":1,"data":{"attributes":{"name":"n","color":"blue","integration":{"credentials":{"role":"r","account_id":"123456789012","unknown":[1],"type":"AWSAssumeRole"},"type":"AWS"}},"type":"action_connection"}}""");

        Assert.Equal(201, response.Status);
        Assert.DoesNotContain("unknown", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("color", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{\"data\":null}")]
    [InlineData("{\"data\":{\"type\":\"action_connection\"}}")]
    [InlineData("{\"data\":{\"type\":\"action_connection\",\"attributes\":[]}}")]
    [InlineData("{\"data\":{\"type\":\"action_connection\",\"attributes\":{\"name\":\"a\",\"name\":\"b\"}}}")]
    [InlineData("{\"data\":{\"type\":\"action_connection\",\"attributes\":{\"name\":\"\\ud800\"}}}")]
    [InlineData("{\"data\":{\"type\":\"action_connection\",\"attributes\":{\"\\udfff\":1}}}")]
    public async Task Create_MalformedBody_Returns400AndStoresNothing(string body)
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/vnd.api+json", response.ContentType);
        Assert.True(response.Json.GetProperty("errors").GetArrayLength() >= 1);
        await AssertNoConnectionsAsync(app);
    }

    [Fact]
    public async Task Create_DeeplyNestedBody_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var body = "{\"data\":" + new string('[', 200) + new string(']', 200) + "}";

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, body);

        Assert.Equal(400, response.Status);
        Assert.Contains("nested deeper", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WrongContentType_Returns415InErrorShape()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration), "text/plain");

        Assert.Equal(415, response.Status);
        Assert.Equal("""{"errors":[{"status":"415","title":"Unsupported Media Type","detail":"Content-Type must be application/json"}]}""", response.Body);
    }

    [Fact]
    public async Task Create_OversizedName_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration, new string('n', 513)));

        Assert.Equal(400, response.Status);
        Assert.Equal("/data/attributes/name", response.Json.GetProperty("errors")[0].GetProperty("source").GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task CreateAndUpdate_Tags_AreStoredReturnedAndReplaced()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var created = await app.Client.SendJsonAsync(HttpMethod.Post, Connections,
            """{"data":{"type":"action_connection","attributes":{"name":"t","tags":["team:platform","env:prod"],"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"123456789012","role":"r"}}}}}""");
        var id = created.Json.GetProperty("data").GetProperty("id").GetString();

        var updated = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"tags":["team:security"]}"""));
        var reserved = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"tags":["default:x"]}"""));

        Assert.Equal(201, created.Status);
        Assert.Equal("""["team:platform","env:prod"]""", created.Json.GetProperty("data").GetProperty("attributes").GetProperty("tags").GetRawText());
        Assert.Equal("""["team:security"]""", updated.Json.GetProperty("data").GetProperty("attributes").GetProperty("tags").GetRawText());
        Assert.Equal(400, reserved.Status);
        Assert.Equal("/data/attributes/tags/0", reserved.Json.GetProperty("errors")[0].GetProperty("source").GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task Update_NameOnly_RenamesAndKeepsIntegration()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);
        var before = (await app.Client.GetJsonAsync($"{Connections}/{id}")).Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetRawText();

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"name":"renamed"}"""));

        Assert.Equal(200, response.Status);
        Assert.Equal("renamed", response.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());
        Assert.Equal(before, response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetRawText());
    }

    [Fact]
    public async Task Update_ChangeIntegrationType_RequiresCompleteCredentials()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);

        var incomplete = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey"}}}"""));
        var complete = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY-switch"}}}"""));

        Assert.Equal(400, incomplete.Status);
        Assert.Equal("/data/attributes/integration/credentials/api_token", incomplete.Json.GetProperty("errors")[0].GetProperty("source").GetProperty("pointer").GetString());
        Assert.Equal(200, complete.Status);
        Assert.Equal("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":""}}""", complete.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration").GetRawText());
        Assert.Equal(new Dictionary<string, string> { ["api_token"] = "sk-CANARY-switch" }, await HttpTokenAuthUpdateTests.RevealAsync(app, id));
    }

    [Fact]
    public async Task Update_IntegrationWithoutType_Returns400AtType()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration);

        var response = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"integration":{"credentials":{"type":"AWSAssumeRole","role":"x"}}}"""));

        Assert.Equal(400, response.Status);
        Assert.Equal("/data/attributes/integration/type", response.Json.GetProperty("errors")[0].GetProperty("source").GetProperty("pointer").GetString());
    }

    private static async Task AssertNoConnectionsAsync(TestApp app)
    {
        var list = await app.Client.GetJsonAsync(Connections);
        Assert.Equal(0, list.Json.GetProperty("meta").GetProperty("total").GetInt64());
    }
}
