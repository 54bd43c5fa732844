using System.Text.Json.Serialization;
using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary><c>HTTPIntegration</c> (type <c>HTTP</c>): token auth for any HTTP API.</summary>
internal sealed record HttpIntegration : Integration<HttpCredentials>
{
    internal static readonly IntegrationVariant Variant = new("HTTP", [HttpTokenAuth.Variant], (r, c) => new HttpIntegration
    {
        BaseUrl = r.RequiredString("base_url"),
        Credentials = (HttpCredentials)c,
    });

    internal override string Type => "HTTP";

    /// <summary><c>base_url</c>: base HTTP url for the integration.</summary>
    [JsonPropertyName("base_url")]
    public required string BaseUrl { get; init; }

    internal override Integration ApplyFields(JsonObjectReader update) => this with
    {
        BaseUrl = update.OptionalString("base_url") ?? BaseUrl,
    };
}

/// <summary><c>HTTPCredentials</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HttpTokenAuth), "HTTPTokenAuth")]
internal abstract record HttpCredentials : Credentials;

/// <summary>
/// <c>HTTPTokenAuth</c>. Token values are the secrets (stored under <c>tokens/{name}</c>);
/// headers, URL parameters and the body are configuration and are echoed. On update, tokens,
/// headers and URL parameters merge by <c>name</c> (given → set, <c>deleted: true</c> → removed,
/// absent → unchanged) and a given body replaces the stored one.
/// </summary>
internal sealed record HttpTokenAuth : HttpCredentials
{
    internal static readonly CredentialVariant Variant = new("HTTPTokenAuth", Read);

    private static readonly string[] TokenTypes = ["SECRET"];

    internal override string Type => "HTTPTokenAuth";

    /// <summary><c>body</c>.</summary>
    [JsonPropertyName("body")]
    public HttpBody? Body { get; init; }

    /// <summary><c>headers</c>.</summary>
    [JsonPropertyName("headers")]
    public IReadOnlyList<HttpHeader>? Headers { get; init; }

    /// <summary><c>tokens</c>.</summary>
    [JsonPropertyName("tokens")]
    public IReadOnlyList<HttpToken>? Tokens { get; init; }

    /// <summary><c>url_parameters</c>.</summary>
    [JsonPropertyName("url_parameters")]
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

    private static HttpTokenAuth Read(JsonObjectReader reader) => new()
    {
        Body = ReadBody(reader),
        Headers = ReadList(reader, "headers", r => new HttpHeader { Name = r.RequiredString("name"), Value = r.RequiredString("value") }, h => h.Name),
        Tokens = ReadList(reader, "tokens", r => new HttpToken { Name = r.RequiredString("name"), Type = ReadTokenType(r, required: true) ?? string.Empty, Value = r.RequiredSecret("value") }, t => t.Name),
        UrlParameters = ReadList(reader, "url_parameters", r => new UrlParam { Name = r.RequiredString("name"), Value = r.RequiredString("value") }, p => p.Name),
    };

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
        if (type is not null && reader.Has("type") && !TokenTypes.Contains(type))
        {
            reader.Fail("type", $"unknown token type '{type}'; allowed values: {string.Join(", ", TokenTypes)}");
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
}

/// <summary><c>HTTPBody</c>.</summary>
internal sealed record HttpBody
{
    /// <summary><c>content</c>: serialized body content.</summary>
    [JsonPropertyName("content")]
    public string? Content { get; init; }

    /// <summary><c>content_type</c>: content type of the body.</summary>
    [JsonPropertyName("content_type")]
    public string? ContentType { get; init; }
}

/// <summary><c>HTTPHeader</c>.</summary>
internal sealed record HttpHeader
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("value")]
    public required string Value { get; init; }
}

/// <summary><c>HTTPToken</c>: the value is secret.</summary>
internal sealed record HttpToken
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary><c>type</c>: <c>TokenType</c>, only <c>SECRET</c>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("value")]
    public required SecretString Value { get; init; }
}

/// <summary><c>UrlParam</c>.</summary>
internal sealed record UrlParam
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("value")]
    public required string Value { get; init; }
}
