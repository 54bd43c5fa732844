using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Json;

namespace ActionConnections.WebConsole.Forms;

/// <summary>A row of an editable list; <see cref="Existing"/> rows are stored items, named and merged by name on update.</summary>
internal sealed class DraftRow
{
    public bool Existing { get; init; }

    public bool Deleted { get; init; }

    /// <summary>Non-secret values by item field name. Secret values are never kept.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A connection form as the browser posted it (or as the stored connection fills it), turned into
/// the API's own request document, so the console's changes are read and validated by the same
/// code as the API's, and the API's errors come back with JSON pointers that are the inputs'
/// names. Secret values only pass through into that document: they are never kept for showing
/// the form again, so a form re-shown after an error has its secret inputs empty.
/// </summary>
internal sealed class ConnectionDraft
{
    public const string NamePointer = "/data/attributes/name";
    public const string TagsPointer = "/data/attributes/tags";
    public const string IntegrationPointer = "/data/attributes/integration";
    public const string CredentialsPointer = "/data/attributes/integration/credentials";

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public ConnectionDraft(FormIntegration integration, FormCredential credential)
    {
        Integration = integration;
        Credential = credential;
    }

    public FormIntegration Integration { get; }

    public FormCredential Credential { get; }

    public string Name { get; set; } = string.Empty;

    public string Tags { get; set; } = string.Empty;

    /// <summary>Non-secret values by input name (JSON pointer).</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Rows of each list field, by the list's pointer.</summary>
    public Dictionary<string, List<DraftRow>> Rows { get; } = new(StringComparer.Ordinal);

    /// <summary>Every error the API reported, in its order, with the input it belongs to.</summary>
    public List<(string Pointer, string Message)> Errors { get; } = [];

    public static string Pointer(FormField field, bool ofIntegration) =>
        $"{(ofIntegration ? IntegrationPointer : CredentialsPointer)}/{field.Name}";

    /// <summary>An HTML id for an input name.</summary>
    public static string IdOf(string pointer) => "f" + pointer.Replace('/', '-').Replace('~', '_');

    public string Value(string pointer) => Values.TryGetValue(pointer, out var value) ? value : string.Empty;

    public IReadOnlyList<string> ErrorsAt(string pointer) => _errors.TryGetValue(pointer, out var list) ? list : [];

    /// <summary>Reads a posted form. The document it returns holds the secrets; the draft does not.</summary>
    public static (ConnectionDraft Draft, JsonDocument Document) FromForm(IFormCollection form, FormIntegration integration, FormCredential credential, bool update)
    {
        var draft = new ConnectionDraft(integration, credential)
        {
            Name = form[NamePointer].ToString(),
            Tags = form[TagsPointer].ToString(),
        };

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("data");
            json.WriteString("type", ConnectionRequests.DataType);
            json.WriteStartObject("attributes");
            if (update || draft.Name.Length > 0)
            {
                json.WriteString("name", draft.Name);
            }

            var tags = SplitTags(draft.Tags);
            if (update || tags.Count > 0)
            {
                json.WriteStartArray("tags");
                foreach (var tag in tags)
                {
                    json.WriteStringValue(tag);
                }

                json.WriteEndArray();
            }

            json.WriteStartObject("integration");
            json.WriteString("type", integration.Type);
            foreach (var field in integration.Fields)
            {
                draft.WriteField(json, form, field, Pointer(field, ofIntegration: true), update);
            }

            json.WriteStartObject("credentials");
            json.WriteString("type", credential.Type);
            foreach (var field in credential.Fields)
            {
                draft.WriteField(json, form, field, Pointer(field, ofIntegration: false), update);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return (draft, JsonDocument.Parse(buffer.WrittenMemory));
    }

    /// <summary>The form of a stored connection: its non-secret values; secrets empty (kept unless replaced).</summary>
    public static ConnectionDraft FromStored(PublicConnection connection, FormIntegration integration, FormCredential credential)
    {
        var draft = new ConnectionDraft(integration, credential)
        {
            Name = connection.Name,
            Tags = connection.Tags is { Count: > 0 } tags ? string.Join(", ", tags) : string.Empty,
        };
        var document = JsonSerializer.SerializeToElement(connection.Integration, AppJson.Context.Integration);
        foreach (var field in integration.Fields)
        {
            draft.FillStored(document, field, Pointer(field, ofIntegration: true));
        }

        // Another credential type chosen on edit starts empty: it needs a complete credential.
        if (connection.Integration.AnyCredentials.Type == credential.Type && document.TryGetProperty("credentials", out var credentials))
        {
            foreach (var field in credential.Fields)
            {
                draft.FillStored(credentials, field, Pointer(field, ofIntegration: false));
            }
        }

        return draft;
    }

    /// <summary>Puts the API's errors beside their inputs (a tag's error beside the tags input).</summary>
    public void AddErrors(IEnumerable<ApiError> errors)
    {
        foreach (var error in errors)
        {
            var pointer = error.Pointer ?? string.Empty;
            if (pointer.StartsWith(TagsPointer + "/", StringComparison.Ordinal))
            {
                pointer = TagsPointer;
            }

            Errors.Add((pointer, error.Detail));
            if (!_errors.TryGetValue(pointer, out var list))
            {
                _errors[pointer] = list = [];
            }

            list.Add(error.Detail);
        }
    }

    public void AddError(string pointer, string message) => AddErrors([new ApiError(message, Pointer: pointer)]);

    private void WriteField(Utf8JsonWriter json, IFormCollection form, FormField field, string pointer, bool update)
    {
        switch (field.Kind)
        {
            case InputKind.Text or InputKind.Choice:
                var text = form[pointer].ToString();
                Values[pointer] = text;
                if (text.Length > 0 || (update && field.Kind == InputKind.Text && form.ContainsKey(pointer)))
                {
                    json.WriteString(field.Name, text);
                }

                break;
            case InputKind.Secret:
                // Empty means "keep" on edit and "missing" on create, as "" does in the API.
                var secret = form[pointer].ToString();
                if (secret.Length > 0)
                {
                    json.WriteString(field.Name, secret);
                }

                break;
            case InputKind.Generated:
                if (update && field.RegenerateFlag is { } flag && form[$"{CredentialsPointer}/{flag}"] == "true")
                {
                    json.WriteBoolean(flag, true);
                }

                break;
            case InputKind.Group:
                WriteGroup(json, form, field, pointer);
                break;
            case InputKind.List:
                WriteList(json, form, field, pointer, update);
                break;
        }
    }

    private void WriteGroup(Utf8JsonWriter json, IFormCollection form, FormField field, string pointer)
    {
        var items = field.Items ?? [];
        var values = items.Select(i => (Item: i, Value: form[$"{pointer}/{i.Name}"].ToString())).ToList();
        foreach (var (item, value) in values.Where(v => v.Item.Kind != InputKind.Secret))
        {
            Values[$"{pointer}/{item.Name}"] = value;
        }

        if (values.All(v => v.Value.Length == 0))
        {
            return;
        }

        json.WriteStartObject(field.Name);
        foreach (var (item, value) in values.Where(v => v.Value.Length > 0))
        {
            json.WriteString(item.Name, value);
        }

        json.WriteEndObject();
    }

    private void WriteList(Utf8JsonWriter json, IFormCollection form, FormField field, string pointer, bool update)
    {
        var items = field.Items ?? [];
        var prefix = pointer + "/";
        var numbers = form.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('/')[0])
            .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1)
            .Where(n => n is >= 0 and < 1000)
            .Distinct()
            .Order()
            .ToList();

        var rows = new List<DraftRow>();
        var written = false;
        foreach (var number in numbers)
        {
            var rowPointer = $"{pointer}/{number}";
            var existing = form[$"{rowPointer}/existing"] == "1";
            var values = items.Select(i => (Item: i, Value: form[$"{rowPointer}/{i.Name}"].ToString())).ToList();

            // A new row left blank (a choice keeps its default) is no row at all.
            if (!existing && values.All(v => v.Item.Kind == InputKind.Choice || v.Value.Length == 0))
            {
                continue;
            }

            var row = new DraftRow { Existing = existing, Deleted = existing && form[$"{rowPointer}/deleted"] == "true" };
            foreach (var (item, value) in values.Where(v => v.Item.Kind != InputKind.Secret))
            {
                row.Values[item.Name] = value;
            }

            if (!written)
            {
                json.WriteStartArray(field.Name);
                written = true;
            }

            json.WriteStartObject();
            foreach (var (item, value) in values)
            {
                // An existing item's secret left empty is kept, like a top-level secret.
                if (value.Length > 0 || (item.Kind == InputKind.Text && !(update && existing)))
                {
                    json.WriteString(item.Name, value);
                }
            }

            if (row.Deleted)
            {
                json.WriteBoolean("deleted", true);
            }

            json.WriteEndObject();
            rows.Add(row);
        }

        if (written)
        {
            json.WriteEndArray();
        }

        Rows[pointer] = rows;
    }

    private void FillStored(JsonElement parent, FormField field, string pointer)
    {
        if (!parent.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        switch (field.Kind)
        {
            case InputKind.Text or InputKind.Choice or InputKind.Generated when value.ValueKind == JsonValueKind.String:
                Values[pointer] = value.GetString() ?? string.Empty;
                break;
            case InputKind.Group when value.ValueKind == JsonValueKind.Object:
                foreach (var item in (field.Items ?? []).Where(i => i.Kind != InputKind.Secret))
                {
                    if (value.TryGetProperty(item.Name, out var itemValue) && itemValue.ValueKind == JsonValueKind.String)
                    {
                        Values[$"{pointer}/{item.Name}"] = itemValue.GetString() ?? string.Empty;
                    }
                }

                break;
            case InputKind.List when value.ValueKind == JsonValueKind.Array:
                var rows = new List<DraftRow>();
                foreach (var element in value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    var row = new DraftRow { Existing = true };
                    foreach (var item in (field.Items ?? []).Where(i => i.Kind != InputKind.Secret))
                    {
                        if (element.TryGetProperty(item.Name, out var itemValue) && itemValue.ValueKind == JsonValueKind.String)
                        {
                            row.Values[item.Name] = itemValue.GetString() ?? string.Empty;
                        }
                    }

                    rows.Add(row);
                }

                Rows[pointer] = rows;
                break;
        }
    }

    private static List<string> SplitTags(string text) =>
        [.. text.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
