using System.Text.Json;

namespace ActionConnections.Http;

/// <summary>
/// Reads one JSON object of a request and records every problem with its JSON pointer instead
/// of stopping at the first, so a client learns all that is wrong with a body at once. Readers
/// return a placeholder for a missing or mistyped field; the caller discards the result when
/// <see cref="ValidationErrors.Any"/>. Members that are not read are ignored (unknown fields
/// are allowed, as in Datadog's API). JSON <c>null</c> counts as absent for optional fields.
/// Every string is refused if it holds U+0000 (issue 11, item 4): PostgreSQL text cannot store
/// it, so it is refused here, once, for every API family and provider alike. Details are worded
/// as the request's family words them (<see cref="ValidationErrors.Wording"/>).
/// </summary>
internal readonly struct JsonObjectReader
{
    /// <summary>Longest string accepted in any credential or attribute field (a PEM private key fits easily).</summary>
    public const int MaxStringLength = 16 * 1024;

    /// <summary>Longest HTTP body content accepted.</summary>
    public const int MaxBodyContentLength = 64 * 1024;

    /// <summary>Most items accepted in one list (tokens, headers, URL parameters, tags).</summary>
    public const int MaxListItems = 100;

    private readonly JsonElement _element;

    private JsonObjectReader(JsonElement element, string pointer, ValidationErrors errors)
    {
        _element = element;
        Pointer = pointer;
        Errors = errors;
    }

    public string Pointer { get; }

    public ValidationErrors Errors { get; }

    /// <summary>Reads <paramref name="element"/> as an object at <paramref name="pointer"/>, or records that it is not one.</summary>
    public static JsonObjectReader? Open(JsonElement element, string pointer, ValidationErrors errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(pointer, errors.Wording.NotAnObject(pointer));
            return null;
        }

        return new JsonObjectReader(element, pointer, errors);
    }

    /// <summary>
    /// Opens the Action Connection family's request document <c>{"data":{"type":…,…}}</c> and checks
    /// that <c>data.type</c> is <paramref name="dataType"/>; returns the <c>data</c> object, or null
    /// when the body or <c>data</c> is not an object. A mistyped or overlong type is reported by
    /// <see cref="OptionalString"/>; any other string, "" included, is not the resource type.
    /// </summary>
    public static JsonObjectReader? OpenData(JsonElement root, string dataType, ValidationErrors errors)
    {
        if (Open(root, string.Empty, errors) is not { } body || body.RequiredObject("data") is not { } data)
        {
            return null;
        }

        var type = data.OptionalString("type");
        if (!data.Has("type"))
        {
            data.Fail("type", "missing required field type");
        }
        else if (type is not null && type != dataType)
        {
            data.Fail("type", $"data.type must be '{dataType}'");
        }

        return data;
    }

    public string PointerTo(string name) => $"{Pointer}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";

    /// <summary>True when the member is present and not null.</summary>
    public bool Has(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public void Fail(string name, string detail) => Errors.Add(PointerTo(name), detail);

    /// <summary>How the member is named in details (its name, or its path for key management).</summary>
    public string Subject(string name) => Errors.Wording.Subject(PointerTo(name), name);

    /// <summary>The member as sent, JSON <c>null</c> included, for members where null means something.</summary>
    public bool TryGetRaw(string name, out JsonElement value) => _element.TryGetProperty(name, out value);

    /// <summary>The member as sent, for checks of a family's own (null counts as absent).</summary>
    public bool TryGetMember(string name, out JsonElement value) =>
        _element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public string RequiredString(string name, int maxLength = MaxStringLength) =>
        ReadString(name, required: true, maxLength) ?? string.Empty;

    public string? OptionalString(string name, int maxLength = MaxStringLength) =>
        ReadString(name, required: false, maxLength);

    /// <summary>An optional string that must not be blank, checked before its length (key management's order).</summary>
    public string? OptionalNonBlankString(string name, int maxLength) =>
        ReadString(name, required: false, maxLength, nonBlank: true);

    public bool? OptionalBool(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Fail(name, $"{Subject(name)} must be a boolean");
        return null;
    }

    public JsonObjectReader? RequiredObject(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            Fail(name, Errors.Wording.Missing(PointerTo(name), name));
            return null;
        }

        return Open(value, PointerTo(name), Errors);
    }

    public JsonObjectReader? OptionalObject(string name) =>
        _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? Open(value, PointerTo(name), Errors)
            : null;

    /// <summary>An optional list of objects; null when absent. Items that are not objects are reported and skipped.</summary>
    public IReadOnlyList<JsonObjectReader>? OptionalObjectList(string name)
    {
        if (!TryGetArray(name, out var array))
        {
            return null;
        }

        var items = new List<JsonObjectReader>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (Open(item, $"{PointerTo(name)}/{index}", Errors) is { } reader)
            {
                items.Add(reader);
            }

            index++;
        }

        return items;
    }

    /// <summary>An optional whole number within [<paramref name="min"/>, <paramref name="max"/>]; null when absent or invalid.</summary>
    public int? OptionalInteger(string name, int min, int max)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            Fail(name, $"{name} must be a whole number between {min} and {max}");
            return null;
        }

        if (number < min || number > max)
        {
            Fail(name, $"{name} must be between {min} and {max}");
            return null;
        }

        return number;
    }

    /// <summary>An optional list of strings; null when absent.</summary>
    public IReadOnlyList<string>? OptionalStringList(string name, int maxLength)
    {
        if (!TryGetArray(name, out var array))
        {
            return null;
        }

        var items = new List<string>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var pointer = $"{PointerTo(name)}/{index}";
            if (item.ValueKind != JsonValueKind.String)
            {
                Errors.Add(pointer, $"{Subject(name)} items must be strings");
            }
            else if (item.GetString()!.Length > maxLength)
            {
                Errors.Add(pointer, $"{Subject(name)} items must be at most {maxLength} characters");
            }
            else if (item.GetString()!.Contains('\0', StringComparison.Ordinal))
            {
                Errors.Add(pointer, $"{Subject(name)} items must not contain the character U+0000");
            }
            else
            {
                items.Add(item.GetString()!);
            }

            index++;
        }

        return items;
    }

    /// <summary>
    /// The <c>type</c> discriminator, wherever it stands in the object; recorded as missing when
    /// absent and as an error when empty (callers stop on null, so null always comes with an error).
    /// </summary>
    public string? Discriminator()
    {
        var type = ReadString("type", required: true, 128);
        if (type is { Length: 0 })
        {
            Fail("type", "type must not be empty");
        }

        return string.IsNullOrEmpty(type) ? null : type;
    }

    private bool TryGetArray(string name, out JsonElement array)
    {
        if (!_element.TryGetProperty(name, out array) || array.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            Fail(name, $"{Subject(name)} must be an array");
            return false;
        }

        if (array.GetArrayLength() > MaxListItems)
        {
            Fail(name, $"{Subject(name)} must have at most {MaxListItems} items");
            return false;
        }

        return true;
    }

    private string? ReadString(string name, bool required, int maxLength, bool nonBlank = false)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail(name, Errors.Wording.Missing(PointerTo(name), name));
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Fail(name, $"{Subject(name)} must be a string");
            return null;
        }

        var text = value.GetString()!;
        if (nonBlank && string.IsNullOrWhiteSpace(text))
        {
            Fail(name, $"{Subject(name)} must not be empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            Fail(name, $"{Subject(name)} must be at most {maxLength} characters");
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            Fail(name, $"{Subject(name)} must not contain the character U+0000");
            return null;
        }

        return text;
    }
}
