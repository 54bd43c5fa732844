using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// The framework's own errors (unknown route, wrong method, body too large, unhandled
/// exception) take the JSON:API error shape and carry the rate-limit headers like any response.
/// </summary>
public sealed class ErrorPipelineTests
{
    private const string NotFoundBody = """{"errors":[{"status":"404","title":"Not Found","detail":"Not Found"}]}""";
    private const string MethodNotAllowedBody = """{"errors":[{"status":"405","title":"Method Not Allowed","detail":"Method Not Allowed"}]}""";
    private const string PayloadTooLargeBody = """{"errors":[{"status":"413","title":"Payload Too Large","detail":"Request body too large"}]}""";
    private const string InternalErrorBody = """{"errors":[{"status":"500","title":"Internal Server Error","detail":"Internal Server Error"}]}""";

    [Theory]
    [InlineData("GET", "/api/v2/unknown_resource")]
    [InlineData("POST", "/api/v2/unknown_resource")]
    [InlineData("GET", "/api/v2/actions/app_key_registrations/b7feea52-994e-4714-a100-1bd9eff5aee1/extra")]
    public async Task UnknownRoute_WithValidKeys_Returns404ErrorBody(string method, string path)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(new HttpMethod(method), path);

        ApiAssert.JsonApiBody(response, 404, NotFoundBody);
        ApiAssert.HasRateLimitHeaders(response);
    }

    [Fact]
    public async Task UnknownRoute_WithoutKeys_Returns403LikeAnyApiPath()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(null, null);

        var response = await anonymous.GetJsonAsync("/api/v2/unknown_resource");

        ApiAssert.JsonApiBody(response, 403, ApiAssert.ForbiddenBody);
    }

    [Theory]
    [InlineData("POST", "/api/v2/actions/app_key_registrations/b7feea52-994e-4714-a100-1bd9eff5aee1", "DELETE, GET, PUT")]
    [InlineData("PATCH", "/api/v2/actions/app_key_registrations/b7feea52-994e-4714-a100-1bd9eff5aee1", "DELETE, GET, PUT")]
    [InlineData("DELETE", "/api/v2/actions/app_key_registrations", "GET")]
    [InlineData("POST", "/api/v2/actions/app_key_registrations", "GET")]
    public async Task WrongMethod_OnKnownRoute_Returns405ErrorBody(string method, string path, string allow)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendJsonAsync(new HttpMethod(method), path, "{}");

        ApiAssert.JsonApiBody(response, 405, MethodNotAllowedBody);
        Assert.Equal(allow, string.Join(", ", response.Message.Content.Headers.Allow.Order(StringComparer.Ordinal)));
        ApiAssert.RateLimitHeaders(response, "app_key_registrations", limit: 6000, period: 60, remaining: 5999);
    }

    [Theory]
    [InlineData("PUT", "/api/v2/actions/app_key_registrations/b7feea52-994e-4714-a100-1bd9eff5aee1")]
    [InlineData("POST", "/api/v2/actions/connections")]
    [InlineData("POST", "/api/v2/unknown_resource")]
    public async Task RequestBody_OverMaxRequestBodyBytes_Returns413ErrorBody(string method, string path)
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:MaxRequestBodyBytes"] = "2048" });
        var body = $$"""{"data":{"type":"action_connection","attributes":{"name":"{{new string('a', 4096)}}"} } }""";

        var response = await app.Client.SendJsonAsync(new HttpMethod(method), path, body);

        ApiAssert.JsonApiBody(response, 413, PayloadTooLargeBody);
        ApiAssert.HasRateLimitHeaders(response);
    }

    [Fact]
    public async Task KestrelBodyLimit_FollowsMaxRequestBodyBytesSetting()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:MaxRequestBodyBytes"] = "2048" });

        var kestrel = app.Service<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(2048, kestrel.Limits.MaxRequestBodySize);
        Assert.False(kestrel.AddServerHeader);
    }

    [Fact]
    public async Task RequestBody_UnderMaxRequestBodyBytes_IsNotRejected()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["ActionConnections:MaxRequestBodyBytes"] = "2048" });
        var body = $$"""{"pad":"{{new string('a', 1900)}}"}""";

        var response = await app.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{app.AppKeyId}", body);

        ApiAssert.JsonApiBody(response, 201, $$$"""{"data":{"id":"{{{app.AppKeyId}}}","type":"app_key_registration"}}""");
    }

    [Fact]
    public async Task UnhandledException_InEndpoint_Returns500WithoutInternalsAndKeepsRateLimitHeaders()
    {
        await using var app = await TestApp.StartAsync();
        // Foreign keys off for this one write, to store a row no code path writes.
        var (off, on) = TestStore.IsPostgres
            ? ("SET session_replication_role = replica;", "SET session_replication_role = DEFAULT;")
            : ("PRAGMA foreign_keys = OFF;", "PRAGMA foreign_keys = ON;");
        await ExecuteAsync(app, $"""
            {off}
            INSERT INTO app_key_registrations (app_key_id, org_id, registered_by, created_at) VALUES ('corrupt-row-7f3a', @id, @id, 0);
            {on}
            """, app.OrgId);

        var response = await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations");

        ApiAssert.JsonApiBody(response, 500, InternalErrorBody);
        ApiAssert.RateLimitHeaders(response, "app_key_registrations", limit: 6000, period: 60, remaining: 5999);
        Assert.Contains("Unhandled System.FormatException", app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhandledException_InGateway_Returns500WithoutInternals()
    {
        await using var app = await TestApp.StartAsync();
        var user = await app.CreateUserAsync(Auth.Role.Standard);
        await ExecuteAsync(app, "UPDATE principals SET role = 'superuser-7f3a' WHERE id = @id;", user.Principal.Id);

        var response = await user.Client.GetJsonAsync("/api/v2/actions/app_key_registrations");

        ApiAssert.JsonApiBody(response, 500, InternalErrorBody);
        Assert.Contains("Unhandled System.IO.InvalidDataException", app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("superuser-7f3a", app.Logs.All, StringComparison.Ordinal);
    }

    /// <summary>Puts the store into a state no code path writes, to reach the unhandled-exception path.</summary>
    private static async Task ExecuteAsync(TestApp app, string sql, Guid id)
    {
        await using var connection = await app.Service<IDatabase>().OpenAsync(CancellationToken.None);
        await using var command = connection.Command(sql).With("@id", id);
        await command.ExecuteNonQueryAsync();
    }
}
