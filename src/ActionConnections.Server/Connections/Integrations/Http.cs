using System.Text.Json;
using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// <c>HTTPTokenAuth</c>: HTTP's own code, where it truly differs from the catalogue's fields. Token
/// values are the secrets (stored under <c>tokens/{name}</c>); headers, URL parameters and the body
/// are configuration and are echoed. On update, tokens, headers and URL parameters merge by
/// <c>name</c> (given → set, <c>deleted: true</c> → removed, absent → unchanged) and a given body
/// replaces the stored one.
/// </summary>
internal sealed record HttpTokenAuth : Credentials
{
    public static readonly ICredentialReader Reader = new HttpTokenAuthReader();

    private static readonly CatalogField TokenType = CatalogField.OneOf("type", ["SECRET"]);

    /// <summary>
    /// The members as the catalogue describes them (for the contract). The spec's patterns on
    /// header, token and URL parameter names are published but not enforced (docs/COMPATIBILITY.md).
    /// </summary>
    public static readonly IReadOnlyList<CatalogField> Fields =
    [
        CatalogField.Structure("body", [CatalogField.Plain("content", required: false), CatalogField.Plain("content_type", required: false)], list: false),
        CatalogField.Structure("headers", [CatalogField.Plain("name", publishedPattern: @"^[A-Za-z][A-Za-z\d\-_]*$"), CatalogField.Plain("value")], list: true),
        CatalogField.Structure("tokens", [CatalogField.Plain("name", publishedPattern: TokenNamePattern), TokenType, CatalogField.Secret("value")], list: true),
        CatalogField.Structure("url_parameters", [CatalogField.Plain("name", publishedPattern: TokenNamePattern), CatalogField.Plain("value")], list: true),
    ];

    private const string TokenNamePattern = @"^[A-Za-z][A-Za-z\d]*$";

    /// <summary><c>body</c>.</summary>
    public HttpBody? Body { get; init; }

    /// <summary><c>headers</c>.</summary>
    public IReadOnlyList<HttpHeader>? Headers { get; init; }

    /// <summary><c>tokens</c>.</summary>
    public IReadOnlyList<HttpToken>? Tokens { get; init; }

    /// <summary><c>url_parameters</c>.</summary>
    public IReadOnlyList<UrlParam>? UrlParameters { get; init; }

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() =>
        (Tokens ?? []).Select(t => new KeyValuePair<string, SecretString>($"tokens/{t.Name}", t.Value));

    internal override Credentials Apply(JsonObjectReader update) => this with
    {
        Body = update.Has("body") ? ReadBody(update) : Body,
        Headers = MergeByName(update, "headers", Headers, h => h.Name, (r, old) =>
            new HttpHeader { Name = old?.Name ?? r.RequiredString("name"), Value = old is null ? r.RequiredString("value") : r.OptionalString("value") ?? old.Value }),
        Tokens = MergeByName(update, "tokens", Tokens, t => t.Name, (r, old) => new HttpToken
        {
            Name = old?.Name ?? r.RequiredString("name"),
            Type = old is null ? ReadTokenType(r, required: true) ?? string.Empty : ReadTokenType(r, required: false) ?? old.Type,
            Value = old is null ? r.RequiredSecret("value") : r.OptionalSecret("value") ?? old.Value,
        }),
        UrlParameters = MergeByName(update, "url_parameters", UrlParameters, p => p.Name, (r, old) =>
            new UrlParam { Name = old?.Name ?? r.RequiredString("name"), Value = old is null ? r.RequiredString("value") : r.OptionalString("value") ?? old.Value }),
    };

    internal override void WriteMembers(Utf8JsonWriter writer)
    {
        if (Body is { } body)
        {
            writer.WriteStartObject("body");
            WriteIfSet(writer, "content", body.Content);
            WriteIfSet(writer, "content_type", body.ContentType);
            writer.WriteEndObject();
        }

        WriteList(writer, "headers", Headers, (w, h) => w.WriteString("value", h.Value), h => h.Name);
        WriteList(writer, "tokens", Tokens, (w, t) =>
        {
            w.WriteString("type", t.Type);
            w.WriteString("value", string.Empty);
        }, t => t.Name);
        WriteList(writer, "url_parameters", UrlParameters, (w, p) => w.WriteString("value", p.Value), p => p.Name);
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteList<T>(Utf8JsonWriter writer, string name, IReadOnlyList<T>? items, Action<Utf8JsonWriter, T> writeRest, Func<T, string> nameOf)
    {
        if (items is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var item in items)
        {
            writer.WriteStartObject();
            writer.WriteString("name", nameOf(item));
            writeRest(writer, item);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static HttpBody? ReadBody(JsonObjectReader reader) =>
        reader.OptionalObject("body") is { } body
            ? new HttpBody
            {
                Content = body.OptionalString("content", JsonObjectReader.MaxBodyContentLength),
                ContentType = body.OptionalString("content_type"),
            }
            : null;

    private static string? ReadTokenType(JsonObjectReader reader, bool required)
    {
        var type = required ? reader.RequiredString("type") : reader.OptionalString("type");
        if (type is not null && reader.Has("type") && !TokenType.AllowedValues!.Contains(type))
        {
            reader.Fail("type", $"unknown token type '{type}'; allowed values: {string.Join(", ", TokenType.AllowedValues!)}");
            return null;
        }

        return type;
    }

    /// <summary>Reads a complete list (create): every item complete, names non-empty and unique.</summary>
    private static List<T>? ReadList<T>(JsonObjectReader reader, string name, Func<JsonObjectReader, T> read, Func<T, string> nameOf)
    {
        if (reader.OptionalObjectList(name) is not { } items)
        {
            return null;
        }

        var result = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var value = read(item);
            CheckName(item, nameOf(value), seen);
            result.Add(value);
        }

        return result;
    }

    /// <summary>Merges an update list into the stored one by <c>name</c>; order of the stored list is kept, new names are appended.</summary>
    private static List<T>? MergeByName<T>(JsonObjectReader update, string name, IReadOnlyList<T>? current, Func<T, string> nameOf, Func<JsonObjectReader, T?, T> readItem)
        where T : class
    {
        if (update.OptionalObjectList(name) is not { } items)
        {
            return current is null ? null : [.. current];
        }

        var merged = new List<T>(current ?? []);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var itemName = item.RequiredString("name");
            if (!CheckName(item, itemName, seen))
            {
                continue;
            }

            var index = merged.FindIndex(x => nameOf(x) == itemName);
            if (item.OptionalBool("deleted") == true)
            {
                if (index >= 0)
                {
                    merged.RemoveAt(index);
                }

                continue;
            }

            var value = readItem(item, index >= 0 ? merged[index] : null);
            if (index >= 0)
            {
                merged[index] = value;
            }
            else
            {
                merged.Add(value);
            }
        }

        return merged;
    }

    private static bool CheckName(JsonObjectReader item, string itemName, HashSet<string> seen)
    {
        if (!item.Has("name"))
        {
            return false;
        }

        if (itemName.Length == 0)
        {
            item.Fail("name", "name must not be empty");
            return false;
        }

        if (itemName.Length > 256 || itemName.Any(c => char.IsControl(c)))
        {
            item.Fail("name", "name must be at most 256 characters, without control characters");
            return false;
        }

        if (!seen.Add(itemName))
        {
            item.Fail("name", $"duplicate name '{itemName}'");
            return false;
        }

        return true;
    }

    private sealed class HttpTokenAuthReader : ICredentialReader
    {
        public Credentials Read(CredentialDefinition definition, JsonObjectReader reader) => new HttpTokenAuth
        {
            Definition = definition,
            Body = ReadBody(reader),
            Headers = ReadList(reader, "headers", r => new HttpHeader { Name = r.RequiredString("name"), Value = r.RequiredString("value") }, h => h.Name),
            Tokens = ReadList(reader, "tokens", r => new HttpToken { Name = r.RequiredString("name"), Type = ReadTokenType(r, required: true) ?? string.Empty, Value = r.RequiredSecret("value") }, t => t.Name),
            UrlParameters = ReadList(reader, "url_parameters", r => new UrlParam { Name = r.RequiredString("name"), Value = r.RequiredString("value") }, p => p.Name),
        };

        public Credentials ReadStored(CredentialDefinition definition, JsonElement stored) => new HttpTokenAuth
        {
            Definition = definition,
            Body = stored.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object
                ? new HttpBody { Content = StoredText(body, "content"), ContentType = StoredText(body, "content_type") }
                : null,
            Headers = StoredList(stored, "headers", item => new HttpHeader { Name = StoredText(item, "name")!, Value = StoredText(item, "value")! }),
            Tokens = StoredList(stored, "tokens", item => new HttpToken { Name = StoredText(item, "name")!, Type = StoredText(item, "type")!, Value = SecretString.Stored }),
            UrlParameters = StoredList(stored, "url_parameters", item => new UrlParam { Name = StoredText(item, "name")!, Value = StoredText(item, "value")! }),
        };

        private static string? StoredText(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static List<T>? StoredList<T>(JsonElement stored, string name, Func<JsonElement, T> read) =>
            stored.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(read)] : null;
    }
}

/// <summary><c>HTTPBody</c>.</summary>
internal sealed record HttpBody
{
    /// <summary><c>content</c>: serialized body content.</summary>
    public string? Content { get; init; }

    /// <summary><c>content_type</c>: content type of the body.</summary>
    public string? ContentType { get; init; }
}

/// <summary><c>HTTPHeader</c>.</summary>
internal sealed record HttpHeader
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}

/// <summary><c>HTTPToken</c>: the value is secret.</summary>
internal sealed record HttpToken
{
    public required string Name { get; init; }

    /// <summary><c>type</c>: <c>TokenType</c>, only <c>SECRET</c>.</summary>
    public required string Type { get; init; }

    public required SecretString Value { get; init; }
}

/// <summary><c>UrlParam</c>.</summary>
internal sealed record UrlParam
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}
