using ActionConnections.Http;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// All integrations and their credential types, for reading requests. Reading dispatches on the
/// <c>type</c> discriminators (wherever they stand in their objects) and reports an unknown type
/// with the allowed values.
/// </summary>
internal static class IntegrationCatalog
{
    public static readonly IReadOnlyList<IntegrationVariant> All =
    [
        AwsIntegration.Variant,
        AnthropicIntegration.Variant,
        AsanaIntegration.Variant,
        AzureIntegration.Variant,
        CircleCIIntegration.Variant,
        ClickupIntegration.Variant,
        CloudflareIntegration.Variant,
        ConfigCatIntegration.Variant,
        DatadogIntegration.Variant,
        FastlyIntegration.Variant,
        FreshserviceIntegration.Variant,
        GcpIntegration.Variant,
        GeminiIntegration.Variant,
        GitlabIntegration.Variant,
        GreyNoiseIntegration.Variant,
        HttpIntegration.Variant,
        LaunchDarklyIntegration.Variant,
        NotionIntegration.Variant,
        OktaIntegration.Variant,
        OpenAIIntegration.Variant,
        ServiceNowIntegration.Variant,
        SplitIntegration.Variant,
        StatsigIntegration.Variant,
        VirusTotalIntegration.Variant,
    ];

    private static readonly Dictionary<string, IntegrationVariant> ByType = All.ToDictionary(v => v.Type, StringComparer.Ordinal);

    public static bool IsKnown(string integrationType) => ByType.ContainsKey(integrationType);

    /// <summary>Reads a complete integration (create, or an update that changes the integration type).</summary>
    public static Integration? Read(JsonObjectReader reader)
    {
        var variant = ReadVariant(reader);
        if (variant is null)
        {
            return null;
        }

        var credentialsReader = reader.RequiredObject("credentials");
        var credentials = credentialsReader is { } cr ? ReadCredentials(cr, variant) : null;
        var integration = variant.Create(reader, credentials!);
        return credentials is null ? null : integration;
    }

    /// <summary>
    /// Reads an <c>ActionConnectionIntegrationUpdate</c> against the stored integration. Same
    /// integration and credential type: a partial update. Another integration or credential
    /// type: a complete, valid object of the new type is required.
    /// </summary>
    public static Integration? ReadUpdate(JsonObjectReader reader, Integration current)
    {
        var variant = ReadVariant(reader);
        if (variant is null)
        {
            return null;
        }

        if (variant.Type != current.Type)
        {
            return Read(reader);
        }

        var updated = current;
        if (reader.OptionalObject("credentials") is { } credentialsReader)
        {
            var type = credentialsReader.Discriminator();
            if (type is null)
            {
                return null;
            }

            if (type == current.AnyCredentials.Type)
            {
                updated = updated.WithCredentials(current.AnyCredentials.Apply(credentialsReader));
            }
            else if (ReadCredentials(credentialsReader, variant) is { } replacement)
            {
                updated = updated.WithCredentials(replacement);
            }
        }

        return updated.ApplyFields(reader);
    }

    private static IntegrationVariant? ReadVariant(JsonObjectReader reader)
    {
        var type = reader.Discriminator();
        if (type is null)
        {
            return null;
        }

        if (ByType.TryGetValue(type, out var variant))
        {
            return variant;
        }

        reader.Fail("type", $"unknown integration type '{type}'; allowed values: {string.Join(", ", All.Select(v => v.Type))}");
        return null;
    }

    private static Credentials? ReadCredentials(JsonObjectReader reader, IntegrationVariant integration)
    {
        var type = reader.Discriminator();
        if (type is null)
        {
            return null;
        }

        var variant = integration.Credentials.FirstOrDefault(c => c.Type == type);
        if (variant is null)
        {
            reader.Fail("type", $"unknown credentials type '{type}' for integration {integration.Type}; allowed values: {string.Join(", ", integration.Credentials.Select(c => c.Type))}");
            return null;
        }

        return variant.Read(reader);
    }
}
