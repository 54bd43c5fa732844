using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// <c>ActionConnectionIntegration</c>: a connection's integration, of one of the catalogue's
/// types (<see cref="IntegrationCatalog"/>), with its own fields (HTTP's <c>base_url</c>) and its
/// credentials. Written as the spec's object, <c>type</c> first, then the fields, then
/// <c>credentials</c>; the stored JSON is the same text (secrets as <c>""</c>).
/// </summary>
[JsonConverter(typeof(IntegrationJsonConverter))]
internal sealed record Integration
{
    public required IntegrationDefinition Definition { get; init; }

    /// <summary>The integration's fields besides <c>type</c> and <c>credentials</c>.</summary>
    public required FieldValues Fields { get; init; }

    /// <summary>The credentials, of one of <see cref="Definition"/>'s credential types.</summary>
    public required Credentials AnyCredentials { get; init; }

    /// <summary>The integration's discriminator, e.g. <c>AWS</c>.</summary>
    internal string Type => Definition.Type;

    /// <summary>The same integration with other credentials of one of its own credential types.</summary>
    internal Integration WithCredentials(Credentials credentials) => this with { AnyCredentials = credentials };
}

/// <summary>
/// Writes an <see cref="Integration"/> straight from the catalogue's fields, and reads the stored
/// form back (any member order).
/// </summary>
internal sealed class IntegrationJsonConverter : JsonConverter<Integration>
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText CredentialsName = JsonEncodedText.Encode("credentials");

    public override Integration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var stored = document.RootElement;
        var definition = IntegrationCatalog.Find(StoredType(stored))
            ?? throw new JsonException("Stored integration has an unknown type.");
        var credentials = stored.GetProperty("credentials");
        var credential = definition.FindCredential(StoredType(credentials))
            ?? throw new JsonException("Stored credentials have an unknown type.");
        return new Integration
        {
            Definition = definition,
            Fields = FieldValues.ReadStored(definition.Fields, stored),
            AnyCredentials = credential.Reader.ReadStored(credential, credentials),
        };
    }

    public override void Write(Utf8JsonWriter writer, Integration value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(TypeName, value.Type);
        value.Fields.Write(writer);
        writer.WritePropertyName(CredentialsName);
        writer.WriteStartObject();
        writer.WriteString(TypeName, value.AnyCredentials.Type);
        value.AnyCredentials.WriteMembers(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string StoredType(JsonElement stored) =>
        stored.ValueKind == JsonValueKind.Object && stored.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : throw new JsonException("Stored integration has no type.");
}
