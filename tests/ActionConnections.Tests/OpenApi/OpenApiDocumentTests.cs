using System.Text.Json;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.OpenApi;

/// <summary>The served API description (<c>GET /api/v2/openapi.json</c>): public, JSON, and complete.</summary>
public sealed class OpenApiDocumentTests
{
    private const string DocumentPath = "/api/v2/openapi.json";

    [Fact]
    public async Task OpenApiDocument_WithoutKeys_IsServedAsJson()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(apiKey: null, appKey: null);

        var response = await anonymous.GetJsonAsync(DocumentPath);

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal("3.0.0", response.Json.GetProperty("openapi").GetString());
        Assert.Null(response.Header("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task OpenApiDocument_WithWrongKeys_IsStillServed()
    {
        await using var app = await TestApp.StartAsync();
        using var stranger = app.CreateClient("ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffffffffffffff");

        var response = await stranger.GetJsonAsync(DocumentPath);

        Assert.Equal(200, response.Status);
        Assert.Equal("3.0.0", response.Json.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task OtherPathNextToDocument_WithoutKeys_IsForbidden()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(apiKey: null, appKey: null);

        var response = await anonymous.GetJsonAsync("/api/v2/openapi.yaml");

        Assert.Equal(403, response.Status);
        Assert.Equal("""{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden"}]}""", response.Body);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheConnectionListExtension()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync(DocumentPath);

        var list = response.Json.GetProperty("paths").GetProperty("/api/v2/actions/connections").GetProperty("get");
        Assert.Equal("ListActionConnections", list.GetProperty("operationId").GetString());
        Assert.True(list.GetProperty("x-actionconnections-extension").GetBoolean());
        var parameters = list.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["page[size]", "page[number]", "filter[name]", "filter[integration]"], parameters.Keys);
        var pageSize = parameters["page[size]"].GetProperty("schema");
        Assert.Equal(50, pageSize.GetProperty("default").GetInt32());
        Assert.Equal(1000, pageSize.GetProperty("maximum").GetInt32());
        Assert.Equal(24, parameters["filter[integration]"].GetProperty("schema").GetProperty("enum").GetArrayLength());
        Assert.Equal(
            "#/components/schemas/ListActionConnectionsResponse",
            list.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var meta = response.Json.GetProperty("components").GetProperty("schemas").GetProperty("ListActionConnectionsResponseMeta").GetProperty("properties");
        Assert.Equal(["total", "total_filtered"], meta.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheHttpRequestsExtension()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync(DocumentPath);

        var post = response.Json.GetProperty("paths").GetProperty("/api/v2/actionconnections/connections/{connection_id}/http_requests").GetProperty("post");
        Assert.Equal("SendConnectionHttpRequest", post.GetProperty("operationId").GetString());
        Assert.True(post.GetProperty("x-actionconnections-extension").GetBoolean());
        Assert.Equal("connections_resolve", post.GetProperty("x-permission").GetProperty("permissions")[0].GetString());
        Assert.Equal(["200", "400", "403", "404", "409", "422", "429", "502", "504"], post.GetProperty("responses").EnumerateObject().Select(r => r.Name));
        var attributes = response.Json.GetProperty("components").GetProperty("schemas").GetProperty("ConnectionHttpResponse")
            .GetProperty("properties").GetProperty("data").GetProperty("properties").GetProperty("attributes").GetProperty("properties");
        Assert.Equal(["body", "duration_ms", "headers", "status", "truncated"], attributes.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var aws = response.Json.GetProperty("components").GetProperty("schemas").GetProperty("ConnectionHttpRequest")
            .GetProperty("properties").GetProperty("data").GetProperty("properties").GetProperty("attributes").GetProperty("properties").GetProperty("aws");
        Assert.Equal(["region", "service"], aws.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryImplementedDatadogOperation()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync(DocumentPath);

        var operations = response.Json.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name} {op.Value.GetProperty("operationId").GetString()}"))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(
            [
                "DELETE /api/v2/actions/app_key_registrations/{app_key_id} UnregisterAppKey",
                "DELETE /api/v2/actions/connections/{connection_id} DeleteActionConnection",
                "DELETE /api/v2/api_keys/{api_key_id} DeleteAPIKey",
                "DELETE /api/v2/application_keys/{app_key_id} DeleteApplicationKey",
                "DELETE /api/v2/current_user/application_keys/{app_key_id} DeleteCurrentUserApplicationKey",
                "DELETE /api/v2/restriction_policy/{resource_id} DeleteRestrictionPolicy",
                "DELETE /api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id} DeleteServiceAccountApplicationKey",
                "GET /api/v2/actionconnections/audit_events ListAuditEvents",
                "GET /api/v2/actions/app_key_registrations ListAppKeyRegistrations",
                "GET /api/v2/actions/app_key_registrations/{app_key_id} GetAppKeyRegistration",
                "GET /api/v2/actions/connections ListActionConnections",
                "GET /api/v2/actions/connections/{connection_id} GetActionConnection",
                "GET /api/v2/api_keys ListAPIKeys",
                "GET /api/v2/api_keys/{api_key_id} GetAPIKey",
                "GET /api/v2/application_keys ListApplicationKeys",
                "GET /api/v2/application_keys/{app_key_id} GetApplicationKey",
                "GET /api/v2/current_user/application_keys ListCurrentUserApplicationKeys",
                "GET /api/v2/current_user/application_keys/{app_key_id} GetCurrentUserApplicationKey",
                "GET /api/v2/openapi.json GetOpenApiDocument",
                "GET /api/v2/restriction_policy/{resource_id} GetRestrictionPolicy",
                "GET /api/v2/roles ListRoles",
                "GET /api/v2/service_accounts/{service_account_id}/application_keys ListServiceAccountApplicationKeys",
                "GET /api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id} GetServiceAccountApplicationKey",
                "GET /api/v2/users ListUsers",
                "PATCH /api/v2/actions/connections/{connection_id} UpdateActionConnection",
                "PATCH /api/v2/api_keys/{api_key_id} UpdateAPIKey",
                "PATCH /api/v2/application_keys/{app_key_id} UpdateApplicationKey",
                "PATCH /api/v2/current_user/application_keys/{app_key_id} UpdateCurrentUserApplicationKey",
                "PATCH /api/v2/service_accounts/{service_account_id}/application_keys/{app_key_id} UpdateServiceAccountApplicationKey",
                "POST /api/v2/actionconnections/connections/{connection_id}/credentials CreateConnectionCredentials",
                "POST /api/v2/actionconnections/connections/{connection_id}/http_requests SendConnectionHttpRequest",
                "POST /api/v2/actionconnections/connections/{connection_id}/resolve ResolveActionConnection",
                "POST /api/v2/actions/connections CreateActionConnection",
                "POST /api/v2/api_keys CreateAPIKey",
                "POST /api/v2/current_user/application_keys CreateCurrentUserApplicationKey",
                "POST /api/v2/restriction_policy/{resource_id} UpdateRestrictionPolicy",
                "POST /api/v2/service_accounts/{service_account_id}/application_keys CreateServiceAccountApplicationKey",
                "PUT /api/v2/actions/app_key_registrations/{app_key_id} RegisterAppKey",
            ],
            operations);
        var security = response.Json.GetProperty("security")[0];
        Assert.Equal(["apiKeyAuth", "appKeyAuth"], security.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Object, response.Json.GetProperty("components").GetProperty("schemas").GetProperty("ActionConnectionIntegration").ValueKind);
    }
}
