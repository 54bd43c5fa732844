using System.Text.Json;
using System.Text.Json.Nodes;
using ActionConnections.Connections.Integrations;

namespace ActionConnections.Tests.Connections;

/// <summary>
/// One sample <c>integration</c> object per credential type of the catalogue, for tests that must
/// hold for every type. Secrets carry <c>CANARY</c> so a test can prove no plaintext leaks anywhere
/// (and, independently of the catalogue, which fields are secrets); configuration values come from
/// the Terraform cassettes where the real service accepted them. Field paths are relative to
/// <c>credentials</c> and resolved by <see cref="CredentialSamples.Find"/>.
/// </summary>
/// <param name="IntegrationType">The integration discriminator, e.g. <c>Cloudflare</c>.</param>
/// <param name="CredentialType">The credential discriminator, e.g. <c>CloudflareGlobalAPIToken</c>.</param>
/// <param name="FullIntegration">Every field set, required and optional.</param>
/// <param name="MinimalIntegration">Only the required fields.</param>
/// <param name="SecretFields">Names as <c>Credentials.Secrets()</c> yields them (<c>tokens/{name}</c> for HTTP).</param>
/// <param name="EchoedFields">Non-secret credential fields of the full sample and the values the API echoes.</param>
/// <param name="RequiredFieldToDrop">A required credential field, or null when the type has none besides <c>type</c>.</param>
/// <param name="UpdateIntegration">A partial update of the same types that changes only <paramref name="UpdatedField"/>.</param>
/// <param name="UpdatedField">The field the update changes: a non-secret one, or the secret when there is no other.</param>
/// <param name="UpdatedValue">Its new value (a plaintext when it is a secret).</param>
internal sealed record CredentialSample(
    string IntegrationType,
    string CredentialType,
    string FullIntegration,
    string MinimalIntegration,
    IReadOnlyList<string> SecretFields,
    IReadOnlyDictionary<string, string> EchoedFields,
    string? RequiredFieldToDrop,
    string UpdateIntegration,
    string UpdatedField,
    string UpdatedValue);

internal static class CredentialSamples
{
    /// <summary>
    /// A new integration needs one line here: a value for each of its fields (secrets with
    /// <c>CANARY</c>) and one field to change on update. Everything else follows from the catalogue.
    /// </summary>
    private static readonly IReadOnlyList<CredentialSample> Samples =
    [
        FromCatalog("AWS", "AWSAssumeRole", new() { ["account_id"] = "123456789012", ["role"] = "role" }, "role", "datadog-actions-role"),
        FromCatalog("Anthropic", "AnthropicAPIKey", new() { ["api_token"] = "sk-ant-CANARY-anthropic-4b7e" }, "api_token", "sk-ant-CANARY-anthropic-rotated-91c2"),
        FromCatalog("Asana", "AsanaAccessToken", new() { ["access_token"] = "2/CANARY-asana-8d3f" }, "access_token", "2/CANARY-asana-rotated-07aa"),
        FromCatalog(
            "Azure",
            "AzureTenant",
            new()
            {
                ["app_client_id"] = "azure-client-id",
                ["client_secret"] = "CANARY-azure-secret-5e0a",
                ["custom_scopes"] = "https://management.azure.com/.default",
                ["tenant_id"] = "azure-tenant-id",
            },
            "custom_scopes",
            "https://graph.microsoft.com/.default"),
        FromCatalog("CircleCI", "CircleCIAPIKey", new() { ["api_token"] = "CCIPAT_CANARY-circleci-3a9b" }, "api_token", "CCIPAT_CANARY-circleci-rotated-5d10"),
        FromCatalog("Clickup", "ClickupAPIKey", new() { ["api_token"] = "pk_CANARY-clickup-6f21" }, "api_token", "pk_CANARY-clickup-rotated-b3e4"),
        FromCatalog("Cloudflare", "CloudflareAPIToken", new() { ["api_token"] = "CANARY-cloudflare-token-0c4d" }, "api_token", "CANARY-cloudflare-token-rotated-2f8a"),
        FromCatalog(
            "Cloudflare",
            "CloudflareGlobalAPIToken",
            new() { ["auth_email"] = "user@example.com", ["global_api_key"] = "CANARY-cloudflare-global-7e5f" },
            "auth_email",
            "ops@example.com"),
        FromCatalog(
            "ConfigCat",
            "ConfigCatSDKKey",
            new() { ["api_password"] = "CANARY-configcat-password-2b8c", ["api_username"] = "configcat-user", ["sdk_key"] = "configcat-sdk-CANARY-9d1e" },
            "api_username",
            "configcat-admin"),
        FromCatalog(
            "Datadog",
            "DatadogAPIKey",
            new() { ["api_key"] = "CANARY-dd-api-key-4c2a", ["app_key"] = "CANARY-dd-app-key-8e7b", ["datacenter"] = "us1.datadoghq.com", ["subdomain"] = "example" },
            "datacenter",
            "us5.datadoghq.com"),
        FromCatalog("Fastly", "FastlyAPIKey", new() { ["api_key"] = "CANARY-fastly-key-1a6d" }, "api_key", "CANARY-fastly-key-rotated-e9c0"),
        FromCatalog(
            "Freshservice",
            "FreshserviceAPIKey",
            new() { ["api_key"] = "CANARY-freshservice-key-5b3c", ["domain"] = "example.freshservice.com" },
            "domain",
            "support.freshservice.com"),
        FromCatalog(
            "GCP",
            "GCPServiceAccount",
            new()
            {
                ["private_key"] = "-----BEGIN PRIVATE KEY-----\nCANARY-gcp-key-0f9e\n-----END PRIVATE KEY-----\n",
                ["service_account_email"] = "sa@example.iam.gserviceaccount.com",
            },
            "service_account_email",
            "actions@example.iam.gserviceaccount.com"),
        FromCatalog("Gemini", "GeminiAPIKey", new() { ["api_key"] = "AIza-CANARY-gemini-3e8f" }, "api_key", "AIza-CANARY-gemini-rotated-71d6"),
        FromCatalog("Gitlab", "GitlabAPIKey", new() { ["api_token"] = "glpat-CANARY-gitlab-6c0b" }, "api_token", "glpat-CANARY-gitlab-rotated-a4f3"),
        FromCatalog("GreyNoise", "GreyNoiseAPIKey", new() { ["api_key"] = "CANARY-greynoise-key-2d4a" }, "api_key", "CANARY-greynoise-key-rotated-8b5e"),
        // HTTP's credentials are lists with their own merge rules: written out in full.
        new(
            "HTTP",
            "HTTPTokenAuth",
            FullIntegration: """
                {"type":"HTTP","base_url":"https://catfact.ninja","credentials":{"type":"HTTPTokenAuth",
                "body":{"content":"{\"key\":\"{{ token1 }}\"}","content_type":"application/json"},
                "headers":[{"name":"header-name","value":"header-value"}],
                "tokens":[{"name":"token1","type":"SECRET","value":"CANARY-http-token1-7b2e"},{"name":"token2","type":"SECRET","value":"CANARY-http-token2-c5d1"}],
                "url_parameters":[{"name":"urlParamName","value":"urlParamValue"}]}}
                """,
            MinimalIntegration: """{"type":"HTTP","base_url":"https://catfact.ninja","credentials":{"type":"HTTPTokenAuth"}}""",
            SecretFields: ["tokens/token1", "tokens/token2"],
            EchoedFields: new Dictionary<string, string>
            {
                ["body/content"] = """{"key":"{{ token1 }}"}""",
                ["body/content_type"] = "application/json",
                ["headers/header-name"] = "header-value",
                ["tokens/token1/type"] = "SECRET",
                ["tokens/token2/type"] = "SECRET",
                ["url_parameters/urlParamName"] = "urlParamValue",
            },
            RequiredFieldToDrop: null,
            UpdateIntegration: """{"type":"HTTP","credentials":{"type":"HTTPTokenAuth","headers":[{"name":"header-name","value":"header-value-2"}]}}""",
            UpdatedField: "headers/header-name",
            UpdatedValue: "header-value-2"),
        FromCatalog("LaunchDarkly", "LaunchDarklyAPIKey", new() { ["api_token"] = "api-CANARY-launchdarkly-8a3c" }, "api_token", "api-CANARY-launchdarkly-rotated-c2d9"),
        FromCatalog("Notion", "NotionAPIKey", new() { ["api_token"] = "secret_CANARY-notion-4f7d" }, "api_token", "secret_CANARY-notion-rotated-0b6e"),
        FromCatalog("Okta", "OktaAPIToken", new() { ["api_token"] = "00CANARY-okta-token-9b1e", ["domain"] = "example.okta.com" }, "domain", "example.oktapreview.com"),
        FromCatalog("OpenAI", "OpenAIAPIKey", new() { ["api_token"] = "sk-CANARY-openai-1f2e" }, "api_token", "sk-CANARY-openai-rotated-6a0d"),
        FromCatalog(
            "ServiceNow",
            "ServiceNowBasicAuth",
            new() { ["instance"] = "example-instance", ["password"] = "CANARY-servicenow-password-3c6a", ["username"] = "service-now-user" },
            "instance",
            "example-dev-instance"),
        FromCatalog("Split", "SplitAPIKey", new() { ["api_key"] = "CANARY-split-key-7d2f" }, "api_key", "CANARY-split-key-rotated-3e1b"),
        FromCatalog("Statsig", "StatsigAPIKey", new() { ["api_key"] = "console-CANARY-statsig-0e5b" }, "api_key", "console-CANARY-statsig-rotated-d8c7"),
        FromCatalog("VirusTotal", "VirusTotalAPIKey", new() { ["api_key"] = "CANARY-virustotal-key-6a9c" }, "api_key", "CANARY-virustotal-key-rotated-4f2e"),
    ];

    private static readonly Dictionary<string, CredentialSample> ByCredentialType = Samples.ToDictionary(s => s.CredentialType, StringComparer.Ordinal);

    /// <summary>Every credential type, as xunit <c>MemberData</c>.</summary>
    public static IEnumerable<object[]> All => Samples.Select(s => new object[] { s.CredentialType });

    public static IReadOnlyList<CredentialSample> List => Samples;

    public static CredentialSample Get(string credentialType) => ByCredentialType[credentialType];

    /// <summary>
    /// Finds a field of a <c>credentials</c> object by a sample path: object members by name, list
    /// items by their <c>name</c>; a path ending on a list item stands for the item's <c>value</c>,
    /// so <c>tokens/token1</c> finds the token's value and <c>headers/header-name</c> the header's.
    /// </summary>
    public static JsonElement? Find(JsonElement credentials, string path)
    {
        var current = credentials;
        foreach (var segment in path.Split('/'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var member))
            {
                current = member;
            }
            else if (current.ValueKind == JsonValueKind.Array
                && current.EnumerateArray().Where(i => i.TryGetProperty("name", out var n) && n.GetString() == segment).ToList() is [var item])
            {
                current = item;
            }
            else
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Object && current.TryGetProperty("name", out _) && current.TryGetProperty("value", out var value)
            ? value
            : current;
    }

    /// <summary>
    /// A sample of a credential type made of catalogue fields: the full integration sets every
    /// value given, the minimal one only the catalogue's required fields; the secrets and the
    /// echoed fields are those the catalogue says; the update changes one field.
    /// </summary>
    private static CredentialSample FromCatalog(string integrationType, string credentialType, Dictionary<string, string> values, string updatedField, string updatedValue)
    {
        var definition = IntegrationCatalog.Find(integrationType)?.FindCredential(credentialType)
            ?? throw new InvalidOperationException($"{integrationType}/{credentialType} is not in the catalogue");
        var fields = definition.Fields.Where(f => values.ContainsKey(f.Name)).ToList();
        var unknown = values.Keys.Except(fields.Select(f => f.Name)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"{credentialType}: no such field(s) {string.Join(", ", unknown)}");
        }

        var required = fields.Where(f => f.Required).ToList();
        return new(
            integrationType,
            credentialType,
            FullIntegration: Json(integrationType, credentialType, fields.Select(f => (f.Name, values[f.Name]))),
            MinimalIntegration: Json(integrationType, credentialType, required.Select(f => (f.Name, values[f.Name]))),
            SecretFields: [.. fields.Where(f => f.Kind == FieldKind.Secret).Select(f => f.Name)],
            EchoedFields: fields.Where(f => f.Kind != FieldKind.Secret).ToDictionary(f => f.Name, f => values[f.Name]),
            RequiredFieldToDrop: required.LastOrDefault()?.Name,
            UpdateIntegration: Json(integrationType, credentialType, [(updatedField, updatedValue)]),
            UpdatedField: updatedField,
            UpdatedValue: updatedValue);
    }

    private static string Json(string integrationType, string credentialType, IEnumerable<(string Name, string Value)> fields)
    {
        var credentials = new JsonObject { ["type"] = credentialType };
        foreach (var (name, value) in fields)
        {
            credentials[name] = value;
        }

        return new JsonObject { ["type"] = integrationType, ["credentials"] = credentials }.ToJsonString();
    }
}
