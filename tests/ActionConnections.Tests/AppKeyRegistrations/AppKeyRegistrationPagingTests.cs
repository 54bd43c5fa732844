using ActionConnections.Identity;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.AppKeyRegistrations;

/// <summary><c>page[size]</c> / <c>page[number]</c> (from 0) on the list, docs/reference/BEHAVIOR.md §9.</summary>
public sealed class AppKeyRegistrationPagingTests
{
    private const string Base = "/api/v2/actions/app_key_registrations";

    /// <summary>Query → indexes (in registration order) of the five registered keys on that page.</summary>
    private static readonly (string Query, int[] Expected)[] Pages =
    [
        ("", [0, 1, 2, 3, 4]),
        ("?page[size]=2", [0, 1]),
        ("?page[size]=2&page[number]=0", [0, 1]),
        ("?page[size]=2&page[number]=1", [2, 3]),
        ("?page[size]=2&page[number]=2", [4]),
        ("?page[size]=2&page[number]=3", []),
        ("?page[number]=1", []),
        ("?page[size]=1000", [0, 1, 2, 3, 4]),
        ("?page[size]=5&page[number]=1000000000", []),
        ("?page%5Bsize%5D=3&page%5Bnumber%5D=1", [3, 4]),
    ];

    private static readonly string[] InvalidPageSizes =
    [
        "page[size]=0",
        "page[size]=-1",
        "page[size]=abc",
        "page[size]=1001",
        "page[size]=",
        "page[size]=1.5",
        "page[size]=%2B1",
        "page[size]=%201",
        "page[size]=99999999999999999999",
        "page[size]=1&page[size]=2",
        "page[number]=0&page[size]=0",
    ];

    private static readonly string[] InvalidPageNumbers =
    [
        "page[number]=-1",
        "page[number]=abc",
        "page[number]=",
        "page[number]=1000000001",
        "page[number]=99999999999999999999",
        "page[number]=0&page[number]=1",
        "page[size]=10&page[number]=x",
    ];

    [Fact]
    public async Task List_Page_ReturnsThatSliceInRegistrationOrderWithTotals()
    {
        await using var app = await TestApp.StartAsync();
        var ids = await RegisterKeysAsync(app, 5);

        foreach (var (query, expected) in Pages)
        {
            var response = await app.Client.GetJsonAsync(Base + query);

            var data = string.Join(',', expected.Select(i => $$$"""{"id":"{{{ids[i]:D}}}","type":"app_key_registration"}"""));
            AssertFor(query, response, 200, $$$"""{"data":[{{{data}}}],"meta":{"total":5,"total_filtered":5}}""");
        }
    }

    [Fact]
    public async Task List_InvalidPageSize_Returns400NamingIt()
    {
        await using var app = await TestApp.StartAsync();

        foreach (var query in InvalidPageSizes)
        {
            var response = await app.Client.GetJsonAsync($"{Base}?{query}");

            AssertFor(query, response, 400, """{"errors":[{"status":"400","title":"Invalid Parameter","detail":"invalid parameter \"page[size]\" in \"query\"; expected an integer from 1 to 1000","source":{"parameter":"page[size]"}}]}""");
        }
    }

    [Fact]
    public async Task List_InvalidPageNumber_Returns400NamingIt()
    {
        await using var app = await TestApp.StartAsync();

        foreach (var query in InvalidPageNumbers)
        {
            var response = await app.Client.GetJsonAsync($"{Base}?{query}");

            AssertFor(query, response, 400, """{"errors":[{"status":"400","title":"Invalid Parameter","detail":"invalid parameter \"page[number]\" in \"query\"; expected an integer from 0 to 1000000000","source":{"parameter":"page[number]"}}]}""");
        }
    }

    [Fact]
    public async Task List_UnknownQueryParameter_IsIgnored()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync($"{Base}?filter=x&page[offset]=3");

        ApiAssert.JsonApiBody(response, 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
    }

    /// <summary>One server answers every case; the query is part of the comparison so a failure names it.</summary>
    private static void AssertFor(string query, TestResponse response, int status, string body) =>
        Assert.Equal($"{query} -> {status} {ApiAssert.JsonApi} {body}", $"{query} -> {response}");

    /// <summary>Creates <paramref name="count"/> keys of the admin and registers them, in order; returns their ids.</summary>
    private static async Task<Guid[]> RegisterKeysAsync(TestApp app, int count)
    {
        var identity = app.Service<IIdentityStore>();
        var ids = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            var key = await identity.CreateAppKeyAsync(app.OrgId, app.AdminId, $"key {i}", null, CancellationToken.None);
            ids[i] = key.Record.Id;
            var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"{Base}/{ids[i]}");
            Assert.Equal(201, response.Status);
        }

        return ids;
    }
}
