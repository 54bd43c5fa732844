using System.Text.Json;
using ActionConnections.Connections.Integrations;
using ActionConnections.Http;

namespace ActionConnections.Connections;

/// <summary>A validated <c>CreateActionConnectionRequest</c>.</summary>
internal sealed record CreateConnection(string Name, Integration Integration, IReadOnlyList<string>? Tags);

/// <summary>
/// A validated <c>UpdateActionConnectionRequest</c>: every attribute optional. The integration
/// part is applied against the stored integration, so it stays a reader until then.
/// </summary>
internal sealed record UpdateConnection(string? Name, JsonElement? Integration, IReadOnlyList<string>? Tags);

/// <summary>
/// Reads the JSON:API envelopes of the connection operations with explicit code that reports
/// every error with its JSON pointer. Unknown members are ignored, as Datadog does.
/// </summary>
internal static class ConnectionRequests
{
    public const string DataType = "action_connection";

    /// <summary>Longest connection name accepted.</summary>
    public const int MaxNameLength = 512;

    /// <summary>Longest tag accepted.</summary>
    public const int MaxTagLength = 256;

    public static CreateConnection? ReadCreate(JsonElement root, ValidationErrors errors)
    {
        if (ReadAttributes(root, errors) is not { } attributes)
        {
            return null;
        }

        var name = ReadName(attributes, required: true);
        var integration = attributes.RequiredObject("integration") is { } reader ? IntegrationCatalog.Read(reader) : null;
        var tags = ReadTags(attributes);
        return errors.Any || integration is null ? null : new CreateConnection(name!, integration, tags);
    }

    public static UpdateConnection? ReadUpdate(JsonElement root, ValidationErrors errors)
    {
        if (ReadAttributes(root, errors) is not { } attributes)
        {
            return null;
        }

        var name = ReadName(attributes, required: false);
        JsonElement? integration = null;
        if (attributes.OptionalObject("integration") is { })
        {
            // A copy: the update is applied after the request's document is gone.
            integration = root.GetProperty("data").GetProperty("attributes").GetProperty("integration").Clone();
        }

        var tags = ReadTags(attributes);
        return errors.Any ? null : new UpdateConnection(name, integration, tags);
    }

    /// <summary>Applies the integration part of an update to the stored integration.</summary>
    public static Integration? ApplyIntegrationUpdate(JsonElement update, Integration current, ValidationErrors errors) =>
        JsonObjectReader.Open(update, "/data/attributes/integration", errors) is { } reader
            ? IntegrationCatalog.ReadUpdate(reader, current)
            : null;

    private static JsonObjectReader? ReadAttributes(JsonElement root, ValidationErrors errors) =>
        JsonObjectReader.OpenData(root, DataType, errors)?.RequiredObject("attributes");

    private static string? ReadName(JsonObjectReader attributes, bool required)
    {
        if (required && !attributes.Has("name"))
        {
            attributes.Fail("name", "missing required field name");
            return null;
        }

        var name = attributes.OptionalString("name", MaxNameLength);
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            attributes.Fail("name", "name must not be empty");
        }

        return name;
    }

    /// <summary>
    /// <c>tags</c> (spec: "Each tag must follow the key:value format. The default tag key is
    /// reserved."). Replaced as a whole on update.
    /// </summary>
    private static List<string>? ReadTags(JsonObjectReader attributes)
    {
        if (attributes.OptionalStringList("tags", MaxTagLength) is not { } tags)
        {
            return null;
        }

        var result = new List<string>();
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            var pointer = $"{attributes.PointerTo("tags")}/{i}";
            if (colon <= 0 || colon == tag.Length - 1)
            {
                attributes.Errors.Add(pointer, $"tag '{tag}' must follow the key:value format");
            }
            else if (tag[..colon] == "default")
            {
                attributes.Errors.Add(pointer, "the 'default' tag key is reserved");
            }
            else if (!result.Contains(tag, StringComparer.Ordinal))
            {
                result.Add(tag);
            }
        }

        return result;
    }
}
