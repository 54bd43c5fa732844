using ActionConnections.Http;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// Reading integrations from requests: dispatch on the <c>type</c> discriminators (wherever they
/// stand in their objects), an unknown type reported with the allowed values.
/// </summary>
internal static partial class IntegrationCatalog
{
    /// <summary>The integration types, as an error message lists them.</summary>
    public static string AllowedTypes { get; } = string.Join(", ", All.Select(i => i.Type));

    public static bool IsKnown(string integrationType) => ByType.ContainsKey(integrationType);

    public static IntegrationDefinition? Find(string integrationType) => ByType.GetValueOrDefault(integrationType);

    /// <summary>Reads a complete integration (create, or an update that changes the integration type).</summary>
    public static Integration? Read(JsonObjectReader reader)
    {
        var definition = ReadDefinition(reader);
        if (definition is null)
        {
            return null;
        }

        var credentialsReader = reader.RequiredObject("credentials");
        var credentials = credentialsReader is { } cr ? ReadCredentials(cr, definition) : null;
        // After the credentials, so a body's problems are reported in the order they always were.
        var fields = FieldValues.Read(definition.Fields, reader);
        return credentials is null ? null : new Integration { Definition = definition, Fields = fields, AnyCredentials = credentials };
    }

    /// <summary>
    /// Reads an <c>ActionConnectionIntegrationUpdate</c> against the stored integration. Same
    /// integration and credential type: a partial update. Another integration or credential
    /// type: a complete, valid object of the new type is required.
    /// </summary>
    public static Integration? ReadUpdate(JsonObjectReader reader, Integration current)
    {
        var definition = ReadDefinition(reader);
        if (definition is null)
        {
            return null;
        }

        if (definition.Type != current.Type)
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
            else if (ReadCredentials(credentialsReader, definition) is { } replacement)
            {
                updated = updated.WithCredentials(replacement);
            }
        }

        return updated with { Fields = updated.Fields.Apply(reader) };
    }

    private static IntegrationDefinition? ReadDefinition(JsonObjectReader reader)
    {
        var type = reader.Discriminator();
        if (type is null)
        {
            return null;
        }

        if (ByType.TryGetValue(type, out var definition))
        {
            return definition;
        }

        reader.Fail("type", $"unknown integration type '{type}'; allowed values: {AllowedTypes}");
        return null;
    }

    private static Credentials? ReadCredentials(JsonObjectReader reader, IntegrationDefinition integration)
    {
        var type = reader.Discriminator();
        if (type is null)
        {
            return null;
        }

        if (integration.FindCredential(type) is not { } credential)
        {
            reader.Fail("type", $"unknown credentials type '{type}' for integration {integration.Type}; allowed values: {integration.AllowedCredentialTypes}");
            return null;
        }

        return credential.Reader.Read(credential, reader);
    }
}
