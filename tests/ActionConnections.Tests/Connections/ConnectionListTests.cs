using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>The list extension: stable order, paging from 0, filters, counts.</summary>
public sealed class ConnectionListTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task List_PagesInNameOrderWithCounts()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        foreach (var name in new[] { "charlie", "alpha", "bravo" })
        {
            await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, name);
        }

        var first = await app.Client.GetJsonAsync($"{Connections}?page[size]=2&page[number]=0");
        var second = await app.Client.GetJsonAsync($"{Connections}?page[size]=2&page[number]=1");

        Assert.Equal(new[] { "alpha", "bravo" }, Names(first));
        Assert.Equal(new[] { "charlie" }, Names(second));
        Assert.Equal("""{"total":3,"total_filtered":3}""", first.Json.GetProperty("meta").GetRawText());
        Assert.DoesNotContain("\"value\":\"s", first.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FilterByNameAndIntegration_CountsFiltered()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "Prod AWS");
        await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "staging aws");
        await app.Client.CreateAsync("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-CANARY-list"}}""", "prod openai");

        var byName = await app.Client.GetJsonAsync($"{Connections}?filter[name]=PROD");
        var byType = await app.Client.GetJsonAsync($"{Connections}?filter[integration]=OpenAI");
        var both = await app.Client.GetJsonAsync($"{Connections}?filter[name]=aws&filter[integration]=AWS");
        var percent = await app.Client.GetJsonAsync($"{Connections}?filter[name]=%25");

        Assert.Equal(new[] { "Prod AWS", "prod openai" }, Names(byName));
        Assert.Equal("""{"total":3,"total_filtered":2}""", byName.Json.GetProperty("meta").GetRawText());
        Assert.Equal(new[] { "prod openai" }, Names(byType));
        Assert.Contains("\"api_token\":\"\"", byType.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", byType.Body, StringComparison.Ordinal);
        Assert.Equal(2, Names(both).Length);
        Assert.Empty(Names(percent));
    }

    [Theory]
    [InlineData("page[size]=0", "page[size]")]
    [InlineData("page[size]=1001", "page[size]")]
    [InlineData("page[size]=abc", "page[size]")]
    [InlineData("page[number]=-1", "page[number]")]
    [InlineData("page[number]=1&page[number]=2", "page[number]")]
    [InlineData("filter[integration]=Jira", "filter[integration]")]
    public async Task List_InvalidQuery_Returns400NamingParameter(string query, string parameter)
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.GetJsonAsync($"{Connections}?{query}");

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal(parameter, error.GetProperty("source").GetProperty("parameter").GetString());
        Assert.Equal("Invalid Parameter", error.GetProperty("title").GetString());
    }

    private static string[] Names(TestResponse response) =>
        [.. response.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("attributes").GetProperty("name").GetString()!)];
}
