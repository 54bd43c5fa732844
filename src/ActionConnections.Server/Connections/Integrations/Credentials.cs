using System.Text.Json;
using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// A credential of a connection, of one of the catalogue's credential types. Secret values are
/// <see cref="SecretString"/>s: written as <c>""</c>, sealed apart from the rest (see <see cref="Secrets"/>).
/// </summary>
internal abstract record Credentials
{
    public required CredentialDefinition Definition { get; init; }

    /// <summary>The credential's discriminator, e.g. <c>AWSAssumeRole</c>.</summary>
    internal string Type => Definition.Type;

    /// <summary>
    /// Every secret of this credential with its stable name within the connection (e.g.
    /// <c>api_key</c>, <c>tokens/MyToken</c>). A secret's name is its ciphertext's associated data.
    /// </summary>
    internal abstract IEnumerable<KeyValuePair<string, SecretString>> Secrets();

    /// <summary>
    /// Applies a partial update of the same credential type: given fields replace, absent
    /// fields (and secrets sent as <c>""</c>) are kept.
    /// </summary>
    internal abstract Credentials Apply(JsonObjectReader update);

    /// <summary>Fills in the values the server generates (AWS <c>external_id</c> and <c>principal_id</c>).</summary>
    internal virtual Credentials Complete(ServerGeneratedValues values) => this;

    /// <summary>Writes the members after <c>type</c>, in wire order; every secret as <c>""</c>.</summary>
    internal abstract void WriteMembers(Utf8JsonWriter writer);
}

/// <summary>Values the server adds to credentials.</summary>
internal sealed record ServerGeneratedValues(string AwsPrincipalId, Func<string> NewExternalId);

/// <summary>Reads one credential type from a request body or from the stored integration JSON.</summary>
internal interface ICredentialReader
{
    /// <summary>A complete credential from a request (create, or a change of credential type); problems go to the reader's errors.</summary>
    Credentials Read(CredentialDefinition definition, JsonObjectReader reader);

    /// <summary>A credential as stored (secrets as <c>""</c>, read back as <see cref="SecretString.Stored"/>).</summary>
    Credentials ReadStored(CredentialDefinition definition, JsonElement stored);
}

/// <summary>A credential made of catalogue fields only: every credential type but HTTP's.</summary>
internal sealed record FieldCredentials : Credentials
{
    public static readonly ICredentialReader Reader = new FieldCredentialsReader();

    public required FieldValues Values { get; init; }

    /// <summary>A non-secret field's value (e.g. Okta's <c>domain</c>), or null.</summary>
    public string? Text(string name) => Values.Text(name);

    internal override IEnumerable<KeyValuePair<string, SecretString>> Secrets() => Values.Secrets();

    internal override Credentials Apply(JsonObjectReader update) => this with { Values = Values.Apply(update) };

    internal override Credentials Complete(ServerGeneratedValues values) => this with { Values = Values.Complete(values) };

    internal override void WriteMembers(Utf8JsonWriter writer) => Values.Write(writer);

    private sealed class FieldCredentialsReader : ICredentialReader
    {
        public Credentials Read(CredentialDefinition definition, JsonObjectReader reader) =>
            new FieldCredentials { Definition = definition, Values = FieldValues.Read(definition.Fields, reader) };

        public Credentials ReadStored(CredentialDefinition definition, JsonElement stored) =>
            new FieldCredentials { Definition = definition, Values = FieldValues.ReadStored(definition.Fields, stored) };
    }
}

/// <summary>
/// The values of a list of catalogue fields, by position: plain text, a secret, or nothing. All
/// that reading, updating, generating, sealing and writing fields means is here, once, driven by
/// each field's <see cref="FieldKind"/>.
/// </summary>
internal sealed class FieldValues : IEquatable<FieldValues>
{
    private readonly IReadOnlyList<CatalogField> _fields;
    private readonly FieldValue[] _values;

    private FieldValues(IReadOnlyList<CatalogField> fields, FieldValue[] values)
    {
        _fields = fields;
        _values = values;
    }

    /// <summary>Reads every field from a request: required ones must be there, each checked by its kind.</summary>
    public static FieldValues Read(IReadOnlyList<CatalogField> fields, JsonObjectReader reader)
    {
        var values = new FieldValue[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            values[i] = field.Kind switch
            {
                FieldKind.Secret => new(null, field.Required ? reader.RequiredSecret(field.Name) : reader.OptionalSecret(field.Name)),
                FieldKind.Generated or FieldKind.Structured => default,
                _ => new(ReadChecked(reader, field, field.Required), null),
            };
        }

        return new FieldValues(fields, values);
    }

    /// <summary>Reads the stored JSON (what <see cref="Write"/> wrote).</summary>
    public static FieldValues ReadStored(IReadOnlyList<CatalogField> fields, JsonElement stored)
    {
        var values = new FieldValue[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            if (stored.TryGetProperty(fields[i].Name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                values[i] = fields[i].Kind == FieldKind.Secret ? new(null, SecretString.Stored) : new(value.GetString(), null);
            }
        }

        return new FieldValues(fields, values);
    }

    /// <summary>A partial update: given fields replace, absent ones (and secrets sent as <c>""</c>) are kept.</summary>
    public FieldValues Apply(JsonObjectReader update)
    {
        var values = (FieldValue[])_values.Clone();
        for (var i = 0; i < _fields.Count; i++)
        {
            var field = _fields[i];
            switch (field.Kind)
            {
                case FieldKind.Secret:
                    values[i] = update.OptionalSecret(field.Name) is { } secret ? new(null, secret) : values[i];
                    break;
                case FieldKind.Plain or FieldKind.Enumerated or FieldKind.Pattern:
                    values[i] = ReadChecked(update, field, required: false) is { } text ? new(text, null) : values[i];
                    break;
            }
        }

        // After the fields, so a body's problems are reported in the order they always were.
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_fields[i].RegenerateFlag is { } flag && update.OptionalBool(flag) == true)
            {
                values[i] = default;
            }
        }

        return new FieldValues(_fields, values);
    }

    /// <summary>Fills in every <see cref="FieldKind.Generated"/> field.</summary>
    public FieldValues Complete(ServerGeneratedValues generated)
    {
        var values = (FieldValue[])_values.Clone();
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_fields[i].Generate is { } generate)
            {
                values[i] = new(generate(values[i].Text, generated), null);
            }
        }

        return new FieldValues(_fields, values);
    }

    /// <summary>A non-secret field's value, or null.</summary>
    public string? Text(string name)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_fields[i].Name == name)
            {
                return _values[i].Text;
            }
        }

        return null;
    }

    public IEnumerable<KeyValuePair<string, SecretString>> Secrets()
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_values[i].Secret is { } secret)
            {
                yield return new(_fields[i].Name, secret);
            }
        }
    }

    /// <summary>Writes every field that has a value, in catalogue order; secrets as <c>""</c>.</summary>
    public void Write(Utf8JsonWriter writer)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            var value = _values[i];
            if (value.Secret is not null)
            {
                writer.WriteString(_fields[i].EncodedName, string.Empty);
            }
            else if (value.Text is not null)
            {
                writer.WriteString(_fields[i].EncodedName, value.Text);
            }
        }
    }

    public bool Equals(FieldValues? other) =>
        other is not null && ReferenceEquals(_fields, other._fields) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as FieldValues);

    public override int GetHashCode() => _values.Length;

    /// <summary>Counts only: a value may be a secret.</summary>
    public override string ToString() => $"FieldValues ({_values.Length})";

    /// <summary>A plain, enumerated or pattern field; null when absent, mistyped or refused.</summary>
    private static string? ReadChecked(JsonObjectReader reader, CatalogField field, bool required)
    {
        var value = required ? reader.RequiredString(field.Name) : reader.OptionalString(field.Name);
        if (value is null || !reader.Has(field.Name))
        {
            return value;
        }

        if (field.CompiledPattern is { } pattern && !pattern.IsMatch(value))
        {
            // The real service's words for its one checked pattern, AWS's account_id (docs/reference/BEHAVIOR.md §7).
            reader.Fail(field.Name, $"invalid {GoFieldName(field.Name)}: value does not match regex pattern \"{field.Pattern}\"");
            return null;
        }

        if (field.AllowedValues is { } allowed && !allowed.Contains(value))
        {
            reader.Fail(field.Name, $"unknown {field.Name} '{value}'; allowed values: {string.Join(", ", allowed)}");
            return null;
        }

        return value;
    }

    /// <summary><c>account_id</c> → <c>AccountId</c>, as the real service's Go messages name a field.</summary>
    private static string GoFieldName(string name) =>
        string.Concat(name.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    private readonly record struct FieldValue(string? Text, SecretString? Secret);
}
