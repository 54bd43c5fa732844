namespace ActionConnections.HttpRequests;

/// <summary>
/// How each credential type authenticates a request, and where its vendor's API is
/// (USING-CONNECTIONS.md, "API-key integrations"). <c>{field}</c> in an API base is the value of
/// that credential field (a host name or label, checked before use). HTTP connections
/// (<c>HTTPTokenAuth</c>) have their own rules (<see cref="HttpConnectionRules"/>); AWS, Azure and
/// GCP authenticate with short-lived tokens, which this table does not describe.
/// </summary>
internal static class CredentialSchemes
{
    public static readonly IReadOnlyDictionary<string, CredentialScheme> ByCredentialType = new Dictionary<string, CredentialScheme>(StringComparer.Ordinal)
    {
        ["AnthropicAPIKey"] = new("https://api.anthropic.com", [Header("x-api-key", "api_token")], Fixed: [("anthropic-version", "2023-06-01")]),
        ["AsanaAccessToken"] = new("https://app.asana.com/api/1.0", [Header("Authorization", "access_token", "Bearer ")]),
        ["CircleCIAPIKey"] = new("https://circleci.com/api/v2", [Header("Circle-Token", "api_token")]),
        ["ClickupAPIKey"] = new("https://api.clickup.com/api/v2", [Header("Authorization", "api_token")]),
        ["CloudflareAPIToken"] = new("https://api.cloudflare.com/client/v4", [Header("Authorization", "api_token", "Bearer ")]),
        ["CloudflareGlobalAPIToken"] = new("https://api.cloudflare.com/client/v4", [Header("X-Auth-Email", "auth_email"), Header("X-Auth-Key", "global_api_key")]),
        ["ConfigCatSDKKey"] = new("https://api.configcat.com", [Header("X-CONFIGCAT-SDKKEY", "sdk_key")], Basic: new("api_username", "api_password")),
        ["DatadogAPIKey"] = new("https://api.{datacenter}", [Header("DD-API-KEY", "api_key"), Header("DD-APPLICATION-KEY", "app_key")]),
        ["FastlyAPIKey"] = new("https://api.fastly.com", [Header("Fastly-Key", "api_key")]),
        ["FreshserviceAPIKey"] = new("https://{domain}/api/v2", [], Basic: new("api_key", null, FixedPassword: "X")),
        ["GeminiAPIKey"] = new("https://generativelanguage.googleapis.com", [Header("x-goog-api-key", "api_key")]),
        ["GitlabAPIKey"] = new("https://gitlab.com/api/v4", [Header("PRIVATE-TOKEN", "api_token")]),
        ["GreyNoiseAPIKey"] = new("https://api.greynoise.io", [Header("key", "api_key")]),
        ["LaunchDarklyAPIKey"] = new("https://app.launchdarkly.com/api/v2", [Header("Authorization", "api_token")]),
        ["NotionAPIKey"] = new("https://api.notion.com/v1", [Header("Authorization", "api_token", "Bearer ")], Fixed: [("Notion-Version", "2022-06-28")]),
        ["OktaAPIToken"] = new("https://{domain}/api/v1", [Header("Authorization", "api_token", "SSWS ")]),
        ["OpenAIAPIKey"] = new("https://api.openai.com/v1", [Header("Authorization", "api_token", "Bearer ")]),
        ["ServiceNowBasicAuth"] = new("https://{instance}.service-now.com", [], Basic: new("username", "password")),
        ["SplitAPIKey"] = new("https://api.split.io/internal/api/v2", [Header("Authorization", "api_key", "Bearer ")]),
        ["StatsigAPIKey"] = new("https://statsigapi.net", [Header("STATSIG-API-KEY", "api_key")]),
        ["VirusTotalAPIKey"] = new("https://www.virustotal.com/api/v3", [Header("x-apikey", "api_key")]),
    };

    private static CredentialHeader Header(string name, string field, string prefix = "") => new(name, field, prefix);
}

/// <summary>
/// One credential type's scheme: its default API base (a template over credential fields), the
/// headers that carry the credential (always the injected value, whatever the caller sent), HTTP
/// Basic auth from two fields, and fixed headers sent unless the caller sets them (API versions).
/// </summary>
internal sealed record CredentialScheme(
    string ApiBase,
    IReadOnlyList<CredentialHeader> Headers,
    BasicCredential? Basic = null,
    IReadOnlyList<(string Name, string Value)>? Fixed = null)
{
    /// <summary>Every header name this scheme puts a credential in: a caller's value for any of them is dropped.</summary>
    public IEnumerable<string> CredentialHeaderNames =>
        Basic is null ? Headers.Select(h => h.Name) : Headers.Select(h => h.Name).Append("Authorization");
}

/// <summary>A header whose value is <see cref="Prefix"/> followed by the credential field <see cref="Field"/>.</summary>
internal sealed record CredentialHeader(string Name, string Field, string Prefix);

/// <summary>HTTP Basic auth: user from <see cref="UserField"/>, password from <see cref="PasswordField"/> or a fixed value.</summary>
internal sealed record BasicCredential(string UserField, string? PasswordField, string? FixedPassword = null);
