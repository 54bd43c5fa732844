namespace ActionConnections.WebConsole.Forms;

/// <summary>How a form input behaves.</summary>
internal enum InputKind
{
    /// <summary>A text input; its value is echoed.</summary>
    Text,

    /// <summary><c>type=password</c>, never pre-filled; left empty on edit, the stored secret is kept.</summary>
    Secret,

    /// <summary>A select of the allowed values.</summary>
    Choice,

    /// <summary>Filled in by the server; shown, never sent.</summary>
    Generated,

    /// <summary>An editable list of rows of <see cref="FormField.Items"/> (HTTP tokens, headers, URL parameters).</summary>
    List,

    /// <summary>A group of <see cref="FormField.Items"/> sent as one object (HTTP body).</summary>
    Group,
}

/// <summary>One input of a connection form, from one catalogue field.</summary>
internal sealed record FormField(
    string Name,
    string Label,
    InputKind Kind,
    bool Required,
    IReadOnlyList<string>? Choices = null,
    string? Pattern = null,
    IReadOnlyList<FormField>? Items = null,
    string? RegenerateFlag = null,
    bool Multiline = false);

/// <summary>One credential type's form.</summary>
internal sealed record FormCredential(string Type, IReadOnlyList<FormField> Fields);

/// <summary>One integration's form: its own fields (HTTP's base URL) and its credential types.</summary>
internal sealed record FormIntegration(string Type, IReadOnlyList<FormField> Fields, IReadOnlyList<FormCredential> Credentials)
{
    public FormCredential Credential(string? type) => Credentials.FirstOrDefault(c => c.Type == type) ?? Credentials[0];
}
