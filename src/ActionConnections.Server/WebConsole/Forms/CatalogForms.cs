using ActionConnections.Connections.Integrations;

namespace ActionConnections.WebConsole.Forms;

/// <summary>
/// The connection forms, generated from the integration catalogue (<see cref="IntegrationCatalog"/>):
/// one form per credential type, each catalogue field an input of its kind (plain → text,
/// secret → password, enumerated → select, pattern → text with the pattern shown, generated →
/// shown only, structured → a group or an editable list), labelled from its wire name. A new
/// catalogue entry gets its form with no change here.
/// </summary>
internal static class CatalogForms
{
    public static readonly IReadOnlyList<FormIntegration> All =
        [.. IntegrationCatalog.All.Select(i => new FormIntegration(i.Type, [.. i.Fields.Select(Input)], [.. i.Credentials.Select(c => new FormCredential(c.Type, [.. c.Fields.Select(Input)]))]))];

    private static readonly Dictionary<string, FormIntegration> ByType = All.ToDictionary(i => i.Type, StringComparer.Ordinal);

    public static FormIntegration? Find(string? type) => type is not null && ByType.TryGetValue(type, out var form) ? form : null;

    private static FormField Input(CatalogField field)
    {
        var label = FieldLabels.Of(field.Name);
        return field.Kind switch
        {
            FieldKind.Secret => new FormField(field.Name, label, InputKind.Secret, field.Required, Multiline: IsLong(field.Name)),
            FieldKind.Enumerated => new FormField(field.Name, label, InputKind.Choice, field.Required, Choices: field.AllowedValues),
            FieldKind.Pattern => new FormField(field.Name, label, InputKind.Text, field.Required, Pattern: field.Pattern),
            FieldKind.Generated => new FormField(field.Name, label, InputKind.Generated, Required: false, RegenerateFlag: field.RegenerateFlag),
            FieldKind.Structured => new FormField(field.Name, label, field.IsList ? InputKind.List : InputKind.Group, field.Required, Items: [.. (field.Items ?? []).Select(Input)]),
            _ => new FormField(field.Name, label, InputKind.Text, field.Required, Multiline: IsLong(field.Name)),
        };
    }

    /// <summary>Fields whose values run over many lines (a PEM key, a request body).</summary>
    private static bool IsLong(string name) => name is "private_key" or "content";
}
