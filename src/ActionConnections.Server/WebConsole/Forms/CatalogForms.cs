using ActionConnections.Connections.Integrations;

namespace ActionConnections.WebConsole.Forms;

/// <summary>
/// The connection forms, generated from the integration catalogue: one form per credential
/// type, each catalogue field an input of its kind with a label.
/// </summary>
internal static class CatalogForms
{
    public static readonly IReadOnlyList<FormIntegration> All = [.. Interim.Select(i => i)];

    private static readonly Dictionary<string, FormIntegration> ByType = All.ToDictionary(i => i.Type, StringComparer.Ordinal);

    public static FormIntegration? Find(string? type) => type is not null && ByType.TryGetValue(type, out var form) ? form : null;

    private static FormField Plain(string name, bool required = true) => new(name, FieldLabels.Of(name), InputKind.Text, required, Multiline: name is "private_key" or "content");

    private static FormField Secret(string name, bool required = true) => new(name, FieldLabels.Of(name), InputKind.Secret, required);

    private static FormIntegration One(string type, string credential, params FormField[] fields) => new(type, [], [new FormCredential(credential, fields)]);

    private static IEnumerable<FormIntegration> Interim =>
    [
        One("AWS", "AWSAssumeRole", new FormField("account_id", "Account ID", InputKind.Text, true, Pattern: @"^\d{12}$"),
            new FormField("external_id", "External ID", InputKind.Generated, false, RegenerateFlag: "generate_new_external_id"),
            new FormField("principal_id", "Principal ID", InputKind.Generated, false), Plain("role")),
        One("Anthropic", "AnthropicAPIKey", Secret("api_token")),
        One("Asana", "AsanaAccessToken", Secret("access_token")),
        One("Azure", "AzureTenant", Plain("app_client_id"), Secret("client_secret"), Plain("custom_scopes", required: false), Plain("tenant_id")),
        One("CircleCI", "CircleCIAPIKey", Secret("api_token")),
        One("Clickup", "ClickupAPIKey", Secret("api_token")),
        new FormIntegration("Cloudflare", [], [new FormCredential("CloudflareAPIToken", [Secret("api_token")]), new FormCredential("CloudflareGlobalAPIToken", [Plain("auth_email"), Secret("global_api_key")])]),
        One("ConfigCat", "ConfigCatSDKKey", Secret("api_password"), Plain("api_username"), Secret("sdk_key")),
        One("Datadog", "DatadogAPIKey", Secret("api_key"), Secret("app_key"), Plain("datacenter"), Plain("subdomain", required: false)),
        One("Fastly", "FastlyAPIKey", Secret("api_key")),
        One("Freshservice", "FreshserviceAPIKey", Secret("api_key"), Plain("domain")),
        One("GCP", "GCPServiceAccount", Secret("private_key"), Plain("service_account_email")),
        One("Gemini", "GeminiAPIKey", Secret("api_key")),
        One("Gitlab", "GitlabAPIKey", Secret("api_token")),
        One("GreyNoise", "GreyNoiseAPIKey", Secret("api_key")),
        new FormIntegration("HTTP", [Plain("base_url")], [new FormCredential("HTTPTokenAuth",
        [
            new FormField("body", "Body", InputKind.Group, false, Items: [Plain("content", required: false), Plain("content_type", required: false)]),
            new FormField("headers", "Headers", InputKind.List, false, Items: [Plain("name"), Plain("value")]),
            new FormField("tokens", "Tokens", InputKind.List, false, Items: [Plain("name"), new FormField("type", "Type", InputKind.Choice, true, Choices: ["SECRET"]), Secret("value")]),
            new FormField("url_parameters", "URL parameters", InputKind.List, false, Items: [Plain("name"), Plain("value")]),
        ])]),
        One("LaunchDarkly", "LaunchDarklyAPIKey", Secret("api_token")),
        One("Notion", "NotionAPIKey", Secret("api_token")),
        One("Okta", "OktaAPIToken", Secret("api_token"), Plain("domain")),
        One("OpenAI", "OpenAIAPIKey", Secret("api_token")),
        One("ServiceNow", "ServiceNowBasicAuth", Plain("instance"), Secret("password"), Plain("username")),
        One("Split", "SplitAPIKey", Secret("api_key")),
        One("Statsig", "StatsigAPIKey", Secret("api_key")),
        One("VirusTotal", "VirusTotalAPIKey", Secret("api_key")),
    ];

    /// <summary>Every integration type of the catalogue, for the list filter.</summary>
    public static IEnumerable<string> Types => IntegrationCatalog.All.Select(v => v.Type);
}
