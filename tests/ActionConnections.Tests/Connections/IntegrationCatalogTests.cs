using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActionConnections.Connections.Integrations;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>
/// The integration catalogue against the published contract, against itself (templates name real
/// fields, fields in wire order), against the samples, and the conformance suite's table generated
/// from it.
/// </summary>
public sealed class IntegrationCatalogTests
{
    /// <summary>Where the conformance suite reads the catalogue; regenerate with <c>REGENERATE_INTEGRATION_CATALOG=1</c>.</summary>
    private const string ConformanceTablePath = "tests/conformance/lib/integration-catalog.json";

    private const string SchemaPrefix = "#/components/schemas/";

    [Fact]
    public async Task Catalogue_AgreesWithServedOpenApi_OnEveryIntegrationCredentialFieldRequiredFlagAndPattern()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.Client.GetJsonAsync("/api/v2/openapi.json");
        Assert.Equal(200, response.Status);
        var schemas = response.Json.GetProperty("components").GetProperty("schemas");

        var published = new List<string>();
        foreach (var integration in OneOf(schemas, schemas.GetProperty("ActionConnectionIntegration")))
        {
            var type = Discriminator(schemas, integration);
            Describe(schemas, integration, type, published, skip: ["type", "credentials"]);
            foreach (var credential in OneOf(schemas, Resolve(schemas, integration.GetProperty("properties").GetProperty("credentials"))))
            {
                Describe(schemas, credential, $"{type}/{Discriminator(schemas, credential)}", published, skip: ["type"]);
            }
        }

        foreach (var update in OneOf(schemas, schemas.GetProperty("ActionConnectionIntegrationUpdate")))
        {
            var type = Discriminator(schemas, update);
            Assert.Equal(["type"], Required(update));
            DescribeUpdate(update, $"update {type}", published, skip: ["type", "credentials"]);
            foreach (var credential in OneOf(schemas, Resolve(schemas, update.GetProperty("properties").GetProperty("credentials"))))
            {
                Assert.Equal(["type"], Required(credential));
                DescribeUpdate(credential, $"update {type}/{Discriminator(schemas, credential)}", published, skip: ["type"]);
            }
        }

        var catalogue = new List<string>();
        foreach (var integration in IntegrationCatalog.All)
        {
            Describe(integration.Fields, integration.Type, catalogue);
            DescribeUpdate(integration.Fields, $"update {integration.Type}", catalogue);
            foreach (var credential in integration.Credentials)
            {
                Describe(credential.Fields, $"{integration.Type}/{credential.Type}", catalogue);
                DescribeUpdate(credential.Fields, $"update {integration.Type}/{credential.Type}", catalogue);
            }
        }

        Assert.Equal(published.Order(StringComparer.Ordinal), catalogue.Order(StringComparer.Ordinal));
        Assert.Equal(24, IntegrationCatalog.All.Count);
        Assert.Equal(25, IntegrationCatalog.All.Sum(i => i.Credentials.Count));
    }

    [Fact]
    public void Catalogue_Fields_AreInWireOrder()
    {
        foreach (var fields in IntegrationCatalog.All.SelectMany(i => i.Credentials.Select(c => c.Fields).Append(i.Fields)))
        {
            var names = fields.Select(f => f.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
        }
    }

    [Fact]
    public void Catalogue_Auth_FitsEachKindOfIntegration()
    {
        var minted = new Dictionary<string, TokenMint>
        {
            ["AWSAssumeRole"] = TokenMint.AwsAssumeRole,
            ["AzureTenant"] = TokenMint.AzureClientCredentials,
            ["GCPServiceAccount"] = TokenMint.GcpJwtBearer,
        };
        foreach (var credential in IntegrationCatalog.All.SelectMany(i => i.Credentials))
        {
            var fields = credential.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            switch (credential.Auth)
            {
                case CredentialAuth.Headers headers:
                    Assert.NotEmpty(headers.Templates);
                    Assert.All(headers.Templates.SelectMany(h => CatalogTemplate.Placeholders(h.Value)), name => Assert.Contains(name, fields));
                    Assert.NotNull(credential.ApiBase);
                    Assert.StartsWith("https://", credential.ApiBase, StringComparison.Ordinal);
                    Assert.All(CatalogTemplate.Placeholders(credential.ApiBase), name => Assert.Contains(name, fields));
                    // Every secret is sent somewhere.
                    Assert.All(
                        credential.Fields.Where(f => f.Kind == FieldKind.Secret),
                        secret => Assert.Contains(headers.Templates, h => CatalogTemplate.Placeholders(h.Value).Contains(secret.Name)));
                    break;
                case CredentialAuth.MintedToken token:
                    Assert.Equal(minted[credential.Type], token.Mint);
                    Assert.Null(credential.ApiBase);
                    break;
                case CredentialAuth.HttpTemplates:
                    Assert.Equal("HTTPTokenAuth", credential.Type);
                    Assert.Null(credential.ApiBase);
                    break;
                default:
                    Assert.Fail($"{credential.Type}: unexpected auth {credential.Auth}");
                    break;
            }
        }
    }

    [Theory]
    [InlineData("Okta", "OktaAPIToken", "Authorization", "SSWS okta-token")]
    [InlineData("OpenAI", "OpenAIAPIKey", "Authorization", "Bearer okta-token")]
    [InlineData("Clickup", "ClickupAPIKey", "Authorization", "okta-token")]
    [InlineData("Anthropic", "AnthropicAPIKey", "anthropic-version", "2023-06-01")]
    [InlineData("Notion", "NotionAPIKey", "Notion-Version", "2022-06-28")]
    [InlineData("Freshservice", "FreshserviceAPIKey", "Authorization", "Basic ZnJlc2gta2V5Olg=")]
    [InlineData("ServiceNow", "ServiceNowBasicAuth", "Authorization", "Basic YWRtaW46czNjcjN0")]
    [InlineData("Cloudflare", "CloudflareGlobalAPIToken", "X-Auth-Email", "ops@example.com")]
    [InlineData("Datadog", "DatadogAPIKey", "DD-APPLICATION-KEY", "dd-app")]
    public void HeaderTemplate_Render_GivesTheVendorsHeader(string integration, string credentialType, string header, string expected)
    {
        var values = new Dictionary<string, string>
        {
            ["api_token"] = "okta-token",
            ["api_key"] = "fresh-key",
            ["app_key"] = "dd-app",
            ["username"] = "admin",
            ["password"] = "s3cr3t",
            ["auth_email"] = "ops@example.com",
        };
        var auth = Assert.IsType<CredentialAuth.Headers>(IntegrationCatalog.Find(integration)!.FindCredential(credentialType)!.Auth);

        var template = Assert.Single(auth.Templates, t => t.Name == header);

        Assert.Equal(expected, template.Render(values.GetValueOrDefault));
    }

    [Fact]
    public void CatalogTemplate_Render_FillsTheApiBaseAndRefusesAMissingValue()
    {
        var okta = IntegrationCatalog.Find("Okta")!.FindCredential("OktaAPIToken")!.ApiBase!;
        var serviceNow = IntegrationCatalog.Find("ServiceNow")!.FindCredential("ServiceNowBasicAuth")!.ApiBase!;

        Assert.Equal("https://example.okta.com/api/v1", CatalogTemplate.Render(okta, name => name == "domain" ? "example.okta.com" : null));
        Assert.Equal("https://acme.service-now.com", CatalogTemplate.Render(serviceNow, name => name == "instance" ? "acme" : null));
        Assert.Null(CatalogTemplate.Render(okta, _ => null));
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void Sample_CanaryValues_AreExactlyTheCataloguesSecrets(string credentialType)
    {
        // The samples mark secrets by their values (CANARY), independently of the catalogue's kinds.
        var sample = CredentialSamples.Get(credentialType);
        using var full = JsonDocument.Parse(sample.FullIntegration);
        var credentials = full.RootElement.GetProperty("credentials");

        Assert.All(sample.SecretFields, field => Assert.Contains("CANARY", CredentialSamples.Find(credentials, field)!.Value.GetString(), StringComparison.Ordinal));
        Assert.All(sample.EchoedFields.Values, value => Assert.DoesNotContain("CANARY", value, StringComparison.Ordinal));
        var leaves = credentials.EnumerateObject().Where(p => p.Name != "type" && p.Value.ValueKind == JsonValueKind.String).Select(p => p.Name);
        Assert.All(leaves, name => Assert.True(sample.SecretFields.Contains(name) || sample.EchoedFields.ContainsKey(name), name));
    }

    [Fact]
    public void ConformanceTable_IsGeneratedFromTheCatalogue()
    {
        var path = RepositoryFiles.PathOf(ConformanceTablePath);
        var expected = ConformanceTable();
        if (Environment.GetEnvironmentVariable("REGENERATE_INTEGRATION_CATALOG") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(
            File.Exists(path) && File.ReadAllText(path) == expected,
            $"{ConformanceTablePath} is not what the catalogue makes; run REGENERATE_INTEGRATION_CATALOG=1 dotnet test --filter ConformanceTable_IsGeneratedFromTheCatalogue");
    }

    /// <summary>The conformance suite's view of the catalogue (tests/conformance/lib/integrations.mjs reads it).</summary>
    private static string ConformanceTable()
    {
        var credentials = new JsonObject();
        foreach (var integration in IntegrationCatalog.All)
        {
            foreach (var credential in integration.Credentials)
            {
                credentials[credential.Type] = new JsonObject
                {
                    ["integration"] = integration.Type,
                    ["fields"] = Table(credential.Fields),
                };
            }
        }

        var root = new JsonObject
        {
            ["generated_from"] = "src/ActionConnections.Server/Connections/Integrations/IntegrationCatalog.cs by IntegrationCatalogTests.ConformanceTable_IsGeneratedFromTheCatalogue; do not edit",
            ["credentials"] = credentials,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private static JsonArray Table(IReadOnlyList<CatalogField> fields) => [.. fields.Select(f =>
    {
        var field = new JsonObject
        {
            ["name"] = f.Name,
            ["kind"] = f.Kind.ToString().ToLowerInvariant(),
            ["required"] = f.Required,
        };
        if (f.Pattern is not null)
        {
            field["pattern"] = f.Pattern;
        }

        if (f.AllowedValues is not null)
        {
            field["allowed_values"] = new JsonArray([.. f.AllowedValues.Select(v => (JsonNode)v)]);
        }

        if (f.Items is not null)
        {
            field[f.IsList ? "item_fields" : "fields"] = Table(f.Items);
        }

        return (JsonNode)field;
    })];

    private static void Describe(IReadOnlyList<CatalogField> fields, string path, List<string> lines)
    {
        foreach (var field in fields)
        {
            var nested = $"{path}/{field.Name}{(field.IsList ? "[]" : string.Empty)}";
            lines.Add(Line(nested, field.Required, field.Pattern, field.AllowedValues, readOnly: field.Kind == FieldKind.Generated));
            if (field.Items is { } items)
            {
                Describe(items, nested, lines);
            }
        }
    }

    private static void Describe(JsonElement schemas, JsonElement schema, string path, List<string> lines, string[] skip)
    {
        var required = Required(schema);
        foreach (var property in schema.GetProperty("properties").EnumerateObject().Where(p => !skip.Contains(p.Name)))
        {
            var value = Resolve(schemas, property.Value);
            var isList = value.TryGetProperty("type", out var type) && type.GetString() == "array";
            var nested = $"{path}/{property.Name}{(isList ? "[]" : string.Empty)}";
            lines.Add(Line(
                nested,
                required.Contains(property.Name),
                Text(property.Value, "pattern") ?? Text(value, "pattern"),
                value.TryGetProperty("enum", out var allowed) ? [.. allowed.EnumerateArray().Select(v => v.GetString()!)] : null,
                property.Value.TryGetProperty("readOnly", out var readOnly) && readOnly.GetBoolean()));
            var item = isList ? Resolve(schemas, value.GetProperty("items")) : value;
            if (item.TryGetProperty("properties", out _))
            {
                Describe(schemas, item, nested, lines, skip: []);
            }
        }
    }

    /// <summary>An update schema: every field but the generated ones, plus the flags that regenerate them, none required.</summary>
    private static void DescribeUpdate(IReadOnlyList<CatalogField> fields, string path, List<string> lines)
    {
        foreach (var field in fields)
        {
            if (field.Kind != FieldKind.Generated)
            {
                lines.Add($"{path}/{field.Name} pattern={field.Pattern}");
            }
            else if (field.RegenerateFlag is { } flag)
            {
                lines.Add($"{path}/{flag} pattern=");
            }
        }
    }

    private static void DescribeUpdate(JsonElement schema, string path, List<string> lines, string[] skip)
    {
        foreach (var property in schema.GetProperty("properties").EnumerateObject().Where(p => !skip.Contains(p.Name)))
        {
            lines.Add($"{path}/{property.Name} pattern={Text(property.Value, "pattern")}");
        }
    }

    private static string Line(string path, bool required, string? pattern, IReadOnlyList<string>? allowed, bool readOnly) =>
        $"{path} required={required} pattern={pattern} enum={(allowed is null ? string.Empty : string.Join('|', allowed))} readOnly={readOnly}";

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static string[] Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];

    private static JsonElement Resolve(JsonElement schemas, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) ? schemas.GetProperty(reference.GetString()![SchemaPrefix.Length..]) : schema;

    private static IEnumerable<JsonElement> OneOf(JsonElement schemas, JsonElement union) =>
        union.GetProperty("oneOf").EnumerateArray().Select(s => Resolve(schemas, s));

    /// <summary>The single value of an object schema's <c>type</c> enum: its discriminator.</summary>
    private static string Discriminator(JsonElement schemas, JsonElement schema) =>
        Assert.Single(Resolve(schemas, schema.GetProperty("properties").GetProperty("type")).GetProperty("enum").EnumerateArray()).GetString()!;
}
