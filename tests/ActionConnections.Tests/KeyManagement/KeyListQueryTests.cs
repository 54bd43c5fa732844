using ActionConnections.Tests.Infrastructure;

using static ActionConnections.Tests.KeyManagement.KeyApiClient;

namespace ActionConnections.Tests.KeyManagement;

public sealed class KeyListQueryTests
{
    [Fact]
    public async Task ListApiKeys_DefaultSort_IsCaseInsensitiveByName()
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, "beta", "Alpha", "gamma");

        var response = await app.Client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(["Alpha", "beta", "Default API key", "gamma"], Names(response));
    }

    [Theory]
    [InlineData("-name", new[] { "gamma", "Default API key", "beta", "Alpha" })]
    [InlineData("created_at", new[] { "Default API key", "beta", "Alpha", "gamma" })]
    [InlineData("-created_at", new[] { "gamma", "Alpha", "beta", "Default API key" })]
    [InlineData("modified_at", new[] { "Default API key", "beta", "Alpha", "gamma" })]
    public async Task ListApiKeys_Sort_OrdersItems(string sort, string[] expected)
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, "beta", "Alpha", "gamma");

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}?sort={sort}");

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, Names(response));
    }

    [Fact]
    public async Task ListApiKeys_SortByLast4_OrdersBySecretSuffix()
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, "a", "b", "c");

        var ascending = await app.Client.GetJsonAsync($"{ApiKeysPath}?sort=last4");
        var descending = await app.Client.GetJsonAsync($"{ApiKeysPath}?sort=-last4");

        var last4 = Attribute(ascending, "last4");
        Assert.Equal(last4.Order(StringComparer.Ordinal), last4);
        Assert.Equal(Enumerable.Reverse(last4), Attribute(descending, "last4"));
    }

    [Fact]
    public async Task ListApiKeys_Paging_ReturnsRequestedPageAndTotal()
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, "page-1", "page-2", "page-3", "page-4", "page-5");

        var first = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter=page-&page[size]=2&page[number]=0");
        var third = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter=page-&page[size]=2&page[number]=2");
        var beyond = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter=page-&page[size]=2&page[number]=3");

        Assert.Equal(["page-1", "page-2"], Names(first));
        Assert.Equal(["page-5"], Names(third));
        Assert.Empty(Names(beyond));
        Assert.Equal(5, beyond.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
    }

    [Fact]
    public async Task ListApiKeys_NoPageSize_ReturnsUpToHundredItemsAsRecorded()
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, [.. Enumerable.Range(100, 100).Select(i => $"key {i}")]);

        var response = await app.Client.GetJsonAsync(ApiKeysPath);

        Assert.Equal(100, Names(response).Length);
        Assert.Equal(101, response.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
    }

    [Fact]
    public async Task ListApiKeys_Filter_MatchesNameSubstringIgnoringCase()
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, "Production agent", "staging AGENT", "ci");

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter=Agent");

        Assert.Equal(["Production agent", "staging AGENT"], Names(response));
        Assert.Equal(2, response.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
    }

    [Fact]
    public async Task ListApiKeys_CreatedAtRange_FiltersByCreationTime()
    {
        await using var app = await TestApp.StartAsync();
        await CreateApiKeysAsync(app, "new");
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var fromFuture = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter[created_at][start]={future}");
        var untilFuture = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter[created_at][end]={future}");
        var fromPast = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter[created_at][start]=2020-11-24T18:46:21%2B00:00");

        Assert.Empty(Names(fromFuture));
        Assert.Equal(2, Names(untilFuture).Length);
        Assert.Equal(2, Names(fromPast).Length);
    }

    [Fact]
    public async Task ListApiKeys_UnencodedPlusInOffset_IsAccepted()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter[created_at][start]=2020-11-24T18:46:21+00:00");

        Assert.Equal(200, response.Status);
        Assert.Single(Names(response));
    }

    [Fact]
    public async Task ListApiKeys_CategoryAndRemoteConfigFilters_Apply()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Client.SendJsonAsync(
            HttpMethod.Post, ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"rc off","category":"agents","remote_config_read_enabled":false}}}""");
        Assert.Equal(201, created.Status);

        var byCategory = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter[category]=agents");
        var byRemoteConfig = await app.Client.GetJsonAsync($"{ApiKeysPath}?filter[remote_config_read_enabled]=true");

        Assert.Equal(["rc off"], Names(byCategory));
        Assert.Equal(["Default API key"], Names(byRemoteConfig));
    }

    [Fact]
    public async Task ListOrgAppKeys_SortAndPaging_Apply()
    {
        await using var app = await TestApp.StartAsync();
        foreach (var name in new[] { "b", "C", "a" })
        {
            await app.Client.CreateAppKeyAsync(name);
        }

        var response = await app.Client.GetJsonAsync($"{OrgAppKeysPath}?sort=-name&page[size]=2");
        var second = await app.Client.GetJsonAsync($"{OrgAppKeysPath}?sort=-name&page[size]=2&page[number]=1");

        Assert.Equal(["Default application key", "C"], Names(response));
        Assert.Equal(["b", "a"], Names(second));
        Assert.Equal(4, response.Json.GetProperty("meta").GetProperty("page").GetProperty("total_filtered_count").GetInt32());
    }

    [Fact]
    public async Task ListMyAppKeys_Filter_MatchesNameSubstring()
    {
        await using var app = await TestApp.StartAsync();
        await app.Client.CreateAppKeyAsync("terraform");
        await app.Client.CreateAppKeyAsync("pulumi");

        var response = await app.Client.GetJsonAsync($"{MyAppKeysPath}?filter=FORM");

        Assert.Equal(["terraform"], Names(response));
    }

    [Theory]
    [InlineData("sort=bogus", "sort")]
    [InlineData("sort=modified_at", "sort")]
    [InlineData("page[size]=0", "page[size]")]
    [InlineData("page[size]=101", "page[size]")]
    [InlineData("page[number]=-1", "page[number]")]
    [InlineData("page[number]=x", "page[number]")]
    [InlineData("filter[created_at][start]=yesterday", "filter[created_at][start]")]
    [InlineData("filter[created_at][end]=11/24/2020", "filter[created_at][end]")]
    public async Task ListAppKeys_InvalidQuery_Returns400NamingParameter(string query, string parameter)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{OrgAppKeysPath}?{query}");

        Assert.Equal(400, response.Status);
        Assert.Equal("application/json", response.ContentType);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray()).GetString();
        Assert.StartsWith($"invalid parameter \"{parameter}\" in \"query\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sort=-modified_at")]
    [InlineData("filter[modified_at][start]=2020-11-24")]
    public async Task ListApiKeys_ApiKeyOnlyParameters_AreAccepted(string query)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}?{query}");

        Assert.Equal(200, response.Status);
    }

    [Theory]
    [InlineData("sort=NAME")]
    [InlineData("filter[modified_at][end]=soon")]
    [InlineData("filter[remote_config_read_enabled]=yes")]
    [InlineData("filter=a&filter=b")]
    public async Task ListApiKeys_InvalidQuery_Returns400(string query)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{ApiKeysPath}?{query}");

        Assert.Equal(400, response.Status);
        Assert.StartsWith("invalid parameter", Assert.Single(response.Json.GetProperty("errors").EnumerateArray()).GetString(), StringComparison.Ordinal);
    }

    private static async Task CreateApiKeysAsync(TestApp app, params string[] names)
    {
        foreach (var name in names)
        {
            await app.Client.CreateApiKeyAsync(name);
        }
    }

    private static string[] Names(TestResponse response) => Attribute(response, "name");

    private static string[] Attribute(TestResponse response, string name)
    {
        Assert.Equal(200, response.Status);
        return [.. response.Json.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("attributes").GetProperty(name).GetString()!)];
    }
}
