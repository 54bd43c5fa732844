using System.Text.Json;

namespace ActionConnections.Tests.Connections;

/// <summary>
/// One sample <c>integration</c> object per credential type of the spec, for tests that must hold
/// for every type. Secrets carry <c>CANARY</c> so a test can prove no plaintext leaks anywhere;
/// configuration values come from the Terraform cassettes where the real service accepted them.
/// Field paths are relative to <c>credentials</c> and resolved by <see cref="CredentialSamples.Find"/>.
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
    private static readonly IReadOnlyList<CredentialSample> Samples =
    [
        new(
            "AWS",
            "AWSAssumeRole",
            FullIntegration: """{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"123456789012","role":"role"}}""",
            MinimalIntegration: """{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"123456789012","role":"role"}}""",
            SecretFields: [],
            EchoedFields: new Dictionary<string, string> { ["account_id"] = "123456789012", ["role"] = "role" },
            RequiredFieldToDrop: "account_id",
            UpdateIntegration: """{"type":"AWS","credentials":{"type":"AWSAssumeRole","role":"datadog-actions-role"}}""",
            UpdatedField: "role",
            UpdatedValue: "datadog-actions-role"),
        SingleSecret("Anthropic", "AnthropicAPIKey", "api_token", "sk-ant-CANARY-anthropic-4b7e", "sk-ant-CANARY-anthropic-rotated-91c2"),
        SingleSecret("Asana", "AsanaAccessToken", "access_token", "2/CANARY-asana-8d3f", "2/CANARY-asana-rotated-07aa"),
        new(
            "Azure",
            "AzureTenant",
            FullIntegration: """{"type":"Azure","credentials":{"type":"AzureTenant","app_client_id":"azure-client-id","client_secret":"CANARY-azure-secret-5e0a","custom_scopes":"https://management.azure.com/.default","tenant_id":"azure-tenant-id"}}""",
            MinimalIntegration: """{"type":"Azure","credentials":{"type":"AzureTenant","app_client_id":"azure-client-id","client_secret":"CANARY-azure-secret-5e0a","tenant_id":"azure-tenant-id"}}""",
            SecretFields: ["client_secret"],
            EchoedFields: new Dictionary<string, string>
            {
                ["app_client_id"] = "azure-client-id",
                ["custom_scopes"] = "https://management.azure.com/.default",
                ["tenant_id"] = "azure-tenant-id",
            },
            RequiredFieldToDrop: "tenant_id",
            UpdateIntegration: """{"type":"Azure","credentials":{"type":"AzureTenant","custom_scopes":"https://graph.microsoft.com/.default"}}""",
            UpdatedField: "custom_scopes",
            UpdatedValue: "https://graph.microsoft.com/.default"),
        SingleSecret("CircleCI", "CircleCIAPIKey", "api_token", "CCIPAT_CANARY-circleci-3a9b", "CCIPAT_CANARY-circleci-rotated-5d10"),
        SingleSecret("Clickup", "ClickupAPIKey", "api_token", "pk_CANARY-clickup-6f21", "pk_CANARY-clickup-rotated-b3e4"),
        SingleSecret("Cloudflare", "CloudflareAPIToken", "api_token", "CANARY-cloudflare-token-0c4d", "CANARY-cloudflare-token-rotated-2f8a"),
        new(
            "Cloudflare",
            "CloudflareGlobalAPIToken",
            FullIntegration: """{"type":"Cloudflare","credentials":{"type":"CloudflareGlobalAPIToken","auth_email":"user@example.com","global_api_key":"CANARY-cloudflare-global-7e5f"}}""",
            MinimalIntegration: """{"type":"Cloudflare","credentials":{"type":"CloudflareGlobalAPIToken","auth_email":"user@example.com","global_api_key":"CANARY-cloudflare-global-7e5f"}}""",
            SecretFields: ["global_api_key"],
            EchoedFields: new Dictionary<string, string> { ["auth_email"] = "user@example.com" },
            RequiredFieldToDrop: "auth_email",
            UpdateIntegration: """{"type":"Cloudflare","credentials":{"type":"CloudflareGlobalAPIToken","auth_email":"ops@example.com"}}""",
            UpdatedField: "auth_email",
            UpdatedValue: "ops@example.com"),
        new(
            "ConfigCat",
            "ConfigCatSDKKey",
            FullIntegration: """{"type":"ConfigCat","credentials":{"type":"ConfigCatSDKKey","api_password":"CANARY-configcat-password-2b8c","api_username":"configcat-user","sdk_key":"configcat-sdk-CANARY-9d1e"}}""",
            MinimalIntegration: """{"type":"ConfigCat","credentials":{"type":"ConfigCatSDKKey","api_password":"CANARY-configcat-password-2b8c","api_username":"configcat-user","sdk_key":"configcat-sdk-CANARY-9d1e"}}""",
            SecretFields: ["api_password", "sdk_key"],
            EchoedFields: new Dictionary<string, string> { ["api_username"] = "configcat-user" },
            RequiredFieldToDrop: "sdk_key",
            UpdateIntegration: """{"type":"ConfigCat","credentials":{"type":"ConfigCatSDKKey","api_username":"configcat-admin"}}""",
            UpdatedField: "api_username",
            UpdatedValue: "configcat-admin"),
        new(
            "Datadog",
            "DatadogAPIKey",
            FullIntegration: """{"type":"Datadog","credentials":{"type":"DatadogAPIKey","api_key":"CANARY-dd-api-key-4c2a","app_key":"CANARY-dd-app-key-8e7b","datacenter":"us1.datadoghq.com","subdomain":"example"}}""",
            MinimalIntegration: """{"type":"Datadog","credentials":{"type":"DatadogAPIKey","api_key":"CANARY-dd-api-key-4c2a","app_key":"CANARY-dd-app-key-8e7b","datacenter":"us1.datadoghq.com"}}""",
            SecretFields: ["api_key", "app_key"],
            EchoedFields: new Dictionary<string, string> { ["datacenter"] = "us1.datadoghq.com", ["subdomain"] = "example" },
            RequiredFieldToDrop: "datacenter",
            UpdateIntegration: """{"type":"Datadog","credentials":{"type":"DatadogAPIKey","datacenter":"us5.datadoghq.com"}}""",
            UpdatedField: "datacenter",
            UpdatedValue: "us5.datadoghq.com"),
        SingleSecret("Fastly", "FastlyAPIKey", "api_key", "CANARY-fastly-key-1a6d", "CANARY-fastly-key-rotated-e9c0"),
        new(
            "Freshservice",
            "FreshserviceAPIKey",
            FullIntegration: """{"type":"Freshservice","credentials":{"type":"FreshserviceAPIKey","api_key":"CANARY-freshservice-key-5b3c","domain":"example.freshservice.com"}}""",
            MinimalIntegration: """{"type":"Freshservice","credentials":{"type":"FreshserviceAPIKey","api_key":"CANARY-freshservice-key-5b3c","domain":"example.freshservice.com"}}""",
            SecretFields: ["api_key"],
            EchoedFields: new Dictionary<string, string> { ["domain"] = "example.freshservice.com" },
            RequiredFieldToDrop: "domain",
            UpdateIntegration: """{"type":"Freshservice","credentials":{"type":"FreshserviceAPIKey","domain":"support.freshservice.com"}}""",
            UpdatedField: "domain",
            UpdatedValue: "support.freshservice.com"),
        new(
            "GCP",
            "GCPServiceAccount",
            FullIntegration: """{"type":"GCP","credentials":{"type":"GCPServiceAccount","private_key":"-----BEGIN PRIVATE KEY-----\nCANARY-gcp-key-0f9e\n-----END PRIVATE KEY-----\n","service_account_email":"sa@example.iam.gserviceaccount.com"}}""",
            MinimalIntegration: """{"type":"GCP","credentials":{"type":"GCPServiceAccount","private_key":"-----BEGIN PRIVATE KEY-----\nCANARY-gcp-key-0f9e\n-----END PRIVATE KEY-----\n","service_account_email":"sa@example.iam.gserviceaccount.com"}}""",
            SecretFields: ["private_key"],
            EchoedFields: new Dictionary<string, string> { ["service_account_email"] = "sa@example.iam.gserviceaccount.com" },
            RequiredFieldToDrop: "service_account_email",
            UpdateIntegration: """{"type":"GCP","credentials":{"type":"GCPServiceAccount","service_account_email":"actions@example.iam.gserviceaccount.com"}}""",
            UpdatedField: "service_account_email",
            UpdatedValue: "actions@example.iam.gserviceaccount.com"),
        SingleSecret("Gemini", "GeminiAPIKey", "api_key", "AIza-CANARY-gemini-3e8f", "AIza-CANARY-gemini-rotated-71d6"),
        SingleSecret("Gitlab", "GitlabAPIKey", "api_token", "glpat-CANARY-gitlab-6c0b", "glpat-CANARY-gitlab-rotated-a4f3"),
        SingleSecret("GreyNoise", "GreyNoiseAPIKey", "api_key", "CANARY-greynoise-key-2d4a", "CANARY-greynoise-key-rotated-8b5e"),
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
        SingleSecret("LaunchDarkly", "LaunchDarklyAPIKey", "api_token", "api-CANARY-launchdarkly-8a3c", "api-CANARY-launchdarkly-rotated-c2d9"),
        SingleSecret("Notion", "NotionAPIKey", "api_token", "secret_CANARY-notion-4f7d", "secret_CANARY-notion-rotated-0b6e"),
        new(
            "Okta",
            "OktaAPIToken",
            FullIntegration: """{"type":"Okta","credentials":{"type":"OktaAPIToken","api_token":"00CANARY-okta-token-9b1e","domain":"example.okta.com"}}""",
            MinimalIntegration: """{"type":"Okta","credentials":{"type":"OktaAPIToken","api_token":"00CANARY-okta-token-9b1e","domain":"example.okta.com"}}""",
            SecretFields: ["api_token"],
            EchoedFields: new Dictionary<string, string> { ["domain"] = "example.okta.com" },
            RequiredFieldToDrop: "domain",
            UpdateIntegration: """{"type":"Okta","credentials":{"type":"OktaAPIToken","domain":"example.oktapreview.com"}}""",
            UpdatedField: "domain",
            UpdatedValue: "example.oktapreview.com"),
        SingleSecret("OpenAI", "OpenAIAPIKey", "api_token", "sk-CANARY-openai-1f2e", "sk-CANARY-openai-rotated-6a0d"),
        new(
            "ServiceNow",
            "ServiceNowBasicAuth",
            FullIntegration: """{"type":"ServiceNow","credentials":{"type":"ServiceNowBasicAuth","instance":"example-instance","password":"CANARY-servicenow-password-3c6a","username":"service-now-user"}}""",
            MinimalIntegration: """{"type":"ServiceNow","credentials":{"type":"ServiceNowBasicAuth","instance":"example-instance","password":"CANARY-servicenow-password-3c6a","username":"service-now-user"}}""",
            SecretFields: ["password"],
            EchoedFields: new Dictionary<string, string> { ["instance"] = "example-instance", ["username"] = "service-now-user" },
            RequiredFieldToDrop: "username",
            UpdateIntegration: """{"type":"ServiceNow","credentials":{"type":"ServiceNowBasicAuth","instance":"example-dev-instance"}}""",
            UpdatedField: "instance",
            UpdatedValue: "example-dev-instance"),
        SingleSecret("Split", "SplitAPIKey", "api_key", "CANARY-split-key-7d2f", "CANARY-split-key-rotated-3e1b"),
        SingleSecret("Statsig", "StatsigAPIKey", "api_key", "console-CANARY-statsig-0e5b", "console-CANARY-statsig-rotated-d8c7"),
        SingleSecret("VirusTotal", "VirusTotalAPIKey", "api_key", "CANARY-virustotal-key-6a9c", "CANARY-virustotal-key-rotated-4f2e"),
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

    /// <summary>An integration whose only credential field is one secret: the update rotates it, as there is nothing else to change.</summary>
    private static CredentialSample SingleSecret(string integrationType, string credentialType, string field, string canary, string rotatedCanary) => new(
        integrationType,
        credentialType,
        FullIntegration: $$$"""{"type":"{{{integrationType}}}","credentials":{"type":"{{{credentialType}}}","{{{field}}}":"{{{canary}}}"}}""",
        MinimalIntegration: $$$"""{"type":"{{{integrationType}}}","credentials":{"type":"{{{credentialType}}}","{{{field}}}":"{{{canary}}}"}}""",
        SecretFields: [field],
        EchoedFields: new Dictionary<string, string>(),
        RequiredFieldToDrop: field,
        UpdateIntegration: $$$"""{"type":"{{{integrationType}}}","credentials":{"type":"{{{credentialType}}}","{{{field}}}":"{{{rotatedCanary}}}"}}""",
        UpdatedField: field,
        UpdatedValue: rotatedCanary);
}
