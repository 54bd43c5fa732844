using System.Text.Json.Serialization;
using ActionConnections.Http;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// <c>ActionConnectionIntegration</c>: one sealed record per integration, told apart by the
/// spec's exact <c>type</c> discriminators. Each integration lives in its own file with its
/// credential union and the explicit code that reads, updates and lists the secrets of each
/// credential type. <see cref="IntegrationCatalog"/> lists them all for request reading.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(AwsIntegration), "AWS")]
[JsonDerivedType(typeof(AnthropicIntegration), "Anthropic")]
[JsonDerivedType(typeof(AsanaIntegration), "Asana")]
[JsonDerivedType(typeof(AzureIntegration), "Azure")]
[JsonDerivedType(typeof(CircleCIIntegration), "CircleCI")]
[JsonDerivedType(typeof(ClickupIntegration), "Clickup")]
[JsonDerivedType(typeof(CloudflareIntegration), "Cloudflare")]
[JsonDerivedType(typeof(ConfigCatIntegration), "ConfigCat")]
[JsonDerivedType(typeof(DatadogIntegration), "Datadog")]
[JsonDerivedType(typeof(FastlyIntegration), "Fastly")]
[JsonDerivedType(typeof(FreshserviceIntegration), "Freshservice")]
[JsonDerivedType(typeof(GcpIntegration), "GCP")]
[JsonDerivedType(typeof(GeminiIntegration), "Gemini")]
[JsonDerivedType(typeof(GitlabIntegration), "Gitlab")]
[JsonDerivedType(typeof(GreyNoiseIntegration), "GreyNoise")]
[JsonDerivedType(typeof(HttpIntegration), "HTTP")]
[JsonDerivedType(typeof(LaunchDarklyIntegration), "LaunchDarkly")]
[JsonDerivedType(typeof(NotionIntegration), "Notion")]
[JsonDerivedType(typeof(OktaIntegration), "Okta")]
[JsonDerivedType(typeof(OpenAIIntegration), "OpenAI")]
[JsonDerivedType(typeof(ServiceNowIntegration), "ServiceNow")]
[JsonDerivedType(typeof(SplitIntegration), "Split")]
[JsonDerivedType(typeof(StatsigIntegration), "Statsig")]
[JsonDerivedType(typeof(VirusTotalIntegration), "VirusTotal")]
internal abstract record Integration
{
    /// <summary>The integration's discriminator, e.g. <c>AWS</c>.</summary>
    internal abstract string Type { get; }

    /// <summary>The credentials, whatever the integration.</summary>
    internal abstract Credentials AnyCredentials { get; }

    /// <summary>The same integration with other credentials of one of its own credential types.</summary>
    internal abstract Integration WithCredentials(Credentials credentials);

    /// <summary>Applies the integration's own update fields besides <c>credentials</c> (HTTP's <c>base_url</c>).</summary>
    internal virtual Integration ApplyFields(JsonObjectReader update) => this;
}

/// <summary>An integration whose only attribute besides <c>type</c> is its credentials.</summary>
internal abstract record Integration<TCredentials> : Integration
    where TCredentials : Credentials
{
    /// <summary><c>credentials</c>.</summary>
    [JsonPropertyName("credentials")]
    public required TCredentials Credentials { get; init; }

    internal override Credentials AnyCredentials => Credentials;

    internal override Integration WithCredentials(Credentials credentials) => this with { Credentials = (TCredentials)credentials };
}
