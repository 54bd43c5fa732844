using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// One integration of the catalogue (<see cref="IntegrationCatalog"/>): its <c>type</c>
/// discriminator, the fields it has besides <c>type</c> and <c>credentials</c> (HTTP's
/// <c>base_url</c>), and its credential types.
/// </summary>
internal sealed record IntegrationDefinition
{
    public IntegrationDefinition(string type, IReadOnlyList<CatalogField> fields, IReadOnlyList<CredentialDefinition> credentials)
    {
        Type = type;
        Fields = fields;
        Credentials = credentials;
        AllowedCredentialTypes = string.Join(", ", credentials.Select(c => c.Type));
    }

    /// <summary>The spec's discriminator, e.g. <c>AWS</c>.</summary>
    public string Type { get; }

    /// <summary>Fields of the integration object itself, in wire order (written between <c>type</c> and <c>credentials</c>).</summary>
    public IReadOnlyList<CatalogField> Fields { get; }

    public IReadOnlyList<CredentialDefinition> Credentials { get; }

    /// <summary>The credential types, as an error message lists them.</summary>
    internal string AllowedCredentialTypes { get; }

    public CredentialDefinition? FindCredential(string type)
    {
        foreach (var credential in Credentials)
        {
            if (credential.Type == type)
            {
                return credential;
            }
        }

        return null;
    }
}

/// <summary>
/// One credential type: its discriminator, its fields in wire order (the real service writes them
/// alphabetically), how the credential is sent to the vendor (<see cref="Auth"/>) and the vendor's
/// default API base (<see cref="ApiBase"/>, with <c>{field}</c> placeholders, e.g.
/// <c>https://{domain}/api/v1</c>; null where the connection names its own base or none applies).
/// </summary>
/// <param name="Type">The spec's discriminator, e.g. <c>OktaAPIToken</c>.</param>
/// <param name="Fields">Every field besides <c>type</c>, in wire order.</param>
/// <param name="Auth">How the credential is sent.</param>
/// <param name="ApiBase">The vendor's default API base, or null.</param>
internal sealed record CredentialDefinition(string Type, IReadOnlyList<CatalogField> Fields, CredentialAuth Auth, string? ApiBase)
{
    /// <summary>
    /// Reads this credential type from requests and storage: <see cref="FieldCredentials"/> (the
    /// catalogue's fields, nothing else) unless the integration has its own code (HTTP).
    /// </summary>
    public ICredentialReader Reader { get; init; } = FieldCredentials.Reader;

    public CatalogField? FindField(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>How a catalogue field is read, checked, stored and answered.</summary>
internal enum FieldKind
{
    /// <summary>Configuration: any string, echoed as sent.</summary>
    Plain,

    /// <summary>A secret: sealed apart from the rest, answered as <c>""</c>; <c>""</c> on update keeps the stored one.</summary>
    Secret,

    /// <summary>Configuration that must be one of <see cref="CatalogField.AllowedValues"/>.</summary>
    Enumerated,

    /// <summary>Configuration that must match <see cref="CatalogField.Pattern"/>.</summary>
    Pattern,

    /// <summary>Read-only: the server fills it in (<see cref="CatalogField.Generate"/>); never read from a request.</summary>
    Generated,

    /// <summary>A structure the integration's own code reads (HTTP's body and lists); <see cref="CatalogField.Items"/> describes it.</summary>
    Structured,
}

/// <summary>
/// One field of an integration or credential type. Build them with <see cref="CatalogField.Plain"/>,
/// <see cref="CatalogField.Secret"/>, <see cref="CatalogField.Matching"/>, <see cref="CatalogField.OneOf"/>,
/// <see cref="CatalogField.ServerGenerated"/> and <see cref="CatalogField.Structure"/>.
/// </summary>
internal sealed record CatalogField
{
    private CatalogField(string name, FieldKind kind, bool required)
    {
        Name = name;
        Kind = kind;
        Required = required;
        EncodedName = JsonEncodedText.Encode(name);
    }

    /// <summary>The JSON member name, exactly as the spec writes it.</summary>
    public string Name { get; }

    public FieldKind Kind { get; }

    /// <summary>Required on create (every field is optional on update).</summary>
    public bool Required { get; }

    /// <summary><see cref="FieldKind.Enumerated"/>: the values accepted.</summary>
    public IReadOnlyList<string>? AllowedValues { get; private init; }

    /// <summary>
    /// The spec's pattern (Go's RE2 syntax): enforced for <see cref="FieldKind.Pattern"/>; on a
    /// <see cref="FieldKind.Plain"/> field, published but not enforced (HTTP's names, docs/COMPATIBILITY.md).
    /// </summary>
    public string? Pattern { get; private init; }

    /// <summary><see cref="FieldKind.Generated"/>: the value from the stored one (null on create) and the server's values.</summary>
    public Func<string?, ServerGeneratedValues, string>? Generate { get; private init; }

    /// <summary><see cref="FieldKind.Generated"/>: the boolean update member that asks for a new value (AWS's <c>generate_new_external_id</c>).</summary>
    public string? RegenerateFlag { get; private init; }

    /// <summary><see cref="FieldKind.Structured"/>: the members of the object, or of each item of the list.</summary>
    public IReadOnlyList<CatalogField>? Items { get; private init; }

    /// <summary><see cref="FieldKind.Structured"/>: a list of <see cref="Items"/> objects, not one object.</summary>
    public bool IsList { get; private init; }

    internal JsonEncodedText EncodedName { get; }

    /// <summary><see cref="Pattern"/> as .NET runs it.</summary>
    internal Regex? CompiledPattern { get; private init; }

    public static CatalogField Plain(string name, bool required = true, string? publishedPattern = null) =>
        new(name, FieldKind.Plain, required) { Pattern = publishedPattern };

    public static CatalogField Secret(string name, bool required = true) => new(name, FieldKind.Secret, required);

    public static CatalogField OneOf(string name, IReadOnlyList<string> allowedValues, bool required = true) =>
        new(name, FieldKind.Enumerated, required) { AllowedValues = allowedValues };

    public static CatalogField Matching(string name, string pattern, bool required = true) =>
        new(name, FieldKind.Pattern, required) { Pattern = pattern, CompiledPattern = GoPattern.Compile(pattern) };

    public static CatalogField ServerGenerated(string name, Func<string?, ServerGeneratedValues, string> generate, string? regenerateFlag = null) =>
        new(name, FieldKind.Generated, required: false) { Generate = generate, RegenerateFlag = regenerateFlag };

    public static CatalogField Structure(string name, IReadOnlyList<CatalogField> items, bool list, bool required = false) =>
        new(name, FieldKind.Structured, required) { Items = items, IsList = list };
}

/// <summary>
/// How a credential is sent to the vendor: a closed set. <see cref="Headers"/> for API keys and
/// basic auth, <see cref="MintedToken"/> for the cloud providers (a short-lived token is obtained
/// from the credential first), <see cref="HttpTemplates"/> for HTTP (the connection's own headers,
/// URL parameters and body, with <c>{{ token }}</c> placeholders).
/// </summary>
internal abstract record CredentialAuth
{
    private CredentialAuth()
    {
    }

    /// <summary>Headers rendered from <see cref="HeaderTemplate"/>s, all sent on every request.</summary>
    internal sealed record Headers(IReadOnlyList<HeaderTemplate> Templates) : CredentialAuth;

    /// <summary>A token minted from the credential by <see cref="Mint"/>, then sent as a bearer token (AWS: signed requests).</summary>
    internal sealed record MintedToken(TokenMint Mint) : CredentialAuth;

    /// <summary>HTTP: the connection's headers, URL parameters and body are the templates.</summary>
    internal sealed record HttpTemplates : CredentialAuth;

    /// <summary>Each template a header.</summary>
    public static Headers Send(params HeaderTemplate[] templates) => new(templates);
}

/// <summary>How a cloud credential becomes a short-lived token (docs/reference/USING-CONNECTIONS.md, "Cloud connections").</summary>
internal enum TokenMint
{
    /// <summary>STS <c>AssumeRole</c> of <c>arn:aws:iam::{account_id}:role/{role}</c> with <c>external_id</c>.</summary>
    AwsAssumeRole,

    /// <summary>OAuth 2.0 client credentials at <c>https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token</c>.</summary>
    AzureClientCredentials,

    /// <summary>An RS256 JWT of the service account exchanged at <c>https://oauth2.googleapis.com/token</c>.</summary>
    GcpJwtBearer,
}

/// <summary>How a rendered header value is encoded.</summary>
internal enum HeaderEncoding
{
    /// <summary>Sent as rendered.</summary>
    AsIs,

    /// <summary>HTTP basic auth: the rendered <c>user:password</c> is sent as <c>Basic base64(utf-8)</c>.</summary>
    Basic,
}

/// <summary>
/// One header to send: in <see cref="Value"/>, <c>{field}</c> stands for the value of that credential
/// field (a secret's plaintext). E.g. <c>("Authorization", "SSWS {api_token}")</c>.
/// </summary>
internal sealed record HeaderTemplate(string Name, string Value, HeaderEncoding Encoding = HeaderEncoding.AsIs)
{
    /// <summary><c>Authorization: Basic …</c> of the rendered <paramref name="user"/> and <paramref name="password"/>.</summary>
    public static HeaderTemplate Basic(string user, string password) => new("Authorization", $"{user}:{password}", HeaderEncoding.Basic);

    /// <summary><c>Authorization: Bearer {field}</c>.</summary>
    public static HeaderTemplate Bearer(string field) => new("Authorization", $"Bearer {{{field}}}");

    /// <summary>The header's value for a credential, or null when a field it names has no value.</summary>
    public string? Render(Func<string, string?> valueOf)
    {
        var rendered = CatalogTemplate.Render(Value, valueOf);
        return rendered is null || Encoding == HeaderEncoding.AsIs
            ? rendered
            : "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(rendered));
    }
}

/// <summary>The <c>{field}</c> placeholders of header templates and API bases.</summary>
internal static class CatalogTemplate
{
    /// <summary>The field names a template refers to, in order.</summary>
    public static IEnumerable<string> Placeholders(string template)
    {
        var start = template.IndexOf('{', StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = template.IndexOf('}', start + 1);
            if (end < 0)
            {
                yield break;
            }

            yield return template[(start + 1)..end];
            start = template.IndexOf('{', end + 1);
        }
    }

    /// <summary>The template with each placeholder replaced by its value; null when one has no value.</summary>
    public static string? Render(string template, Func<string, string?> valueOf)
    {
        var result = new StringBuilder(template.Length + 32);
        var position = 0;
        foreach (var name in Placeholders(template))
        {
            var start = template.IndexOf('{' + name + '}', position, StringComparison.Ordinal);
            if (valueOf(name) is not { } value)
            {
                return null;
            }

            result.Append(template, position, start - position).Append(value);
            position = start + name.Length + 2;
        }

        return result.Append(template, position, template.Length - position).ToString();
    }
}

/// <summary>The spec's patterns are Go (RE2) expressions; this runs them with Go's meaning in .NET.</summary>
internal static class GoPattern
{
    /// <summary>
    /// In Go, <c>\d</c> is ASCII digits only and a final <c>$</c> is the end of the text; in .NET
    /// <c>\d</c> also matches other scripts' digits and <c>$</c> also matches before a final newline,
    /// which would accept <c>"123456789012\n"</c> and <c>"١٢٣٤٥٦٧٨٩٠١٢"</c>. Both are translated.
    /// </summary>
    public static Regex Compile(string pattern)
    {
        var translated = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                translated.Append(pattern[i + 1] == 'd' ? (inClass ? "0-9" : "[0-9]") : pattern.Substring(i, 2));
                i++;
            }
            else if (c == '$' && !inClass && i == pattern.Length - 1)
            {
                translated.Append(@"\z");
            }
            else
            {
                inClass = c == '[' || (inClass && c != ']');
                translated.Append(c);
            }
        }

        return new Regex(translated.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
