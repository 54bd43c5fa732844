using System.Text.Json;
using ActionConnections.Errors;
using ActionConnections.HttpRequests;

namespace ActionConnections.WebConsole;

/// <summary>
/// The Test panel of a connection's page: a small form that becomes the http_requests
/// extension's request document (<c>{"data":{"type":"http_request","attributes":{…}}}</c>) and is
/// read by the extension's own reader, so it is held to exactly the same rules. What comes back is
/// the executor's answer, secrets already masked; the page shows it HTML-encoded, never as markup.
/// </summary>
internal sealed record TestDraft(string Method, string Url, string Headers, string ContentType, string Content)
{
    public const string MethodField = "test_method";
    public const string UrlField = "test_url";
    public const string HeadersField = "test_headers";
    public const string ContentTypeField = "test_content_type";
    public const string ContentField = "test_content";

    public static TestDraft Empty { get; } = new("GET", "/", string.Empty, string.Empty, string.Empty);

    /// <summary>Field (one of the names above, or <c>form</c>) → its errors.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public HttpResponseAttributes? Response { get; init; }

    public ApiProblem? Problem { get; init; }

    public bool Sent => Response is not null || Problem is not null;

    public static IReadOnlyList<string> Methods { get; } = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    public static TestDraft FromForm(IFormCollection form) => new(
        form[MethodField].ToString(),
        form[UrlField].ToString().Trim(),
        form[HeadersField].ToString(),
        form[ContentTypeField].ToString().Trim(),
        form[ContentField].ToString());

    /// <summary>
    /// The extension's request document. Headers are one <c>Name: value</c> a line; a line
    /// without a colon is sent as a name with an empty value, which the reader then judges.
    /// </summary>
    public JsonDocument ToRequestDocument()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("data");
            json.WriteString("type", HttpRequestReader.DataType);
            json.WriteStartObject("attributes");
            json.WriteString("method", Method);
            json.WriteString("url", Url);
            var headers = HeaderLines().ToList();
            if (headers.Count > 0)
            {
                json.WriteStartArray("headers");
                foreach (var (name, value) in headers)
                {
                    json.WriteStartObject();
                    json.WriteString("name", name);
                    json.WriteString("value", value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (Content.Length > 0 || ContentType.Length > 0)
            {
                json.WriteStartObject("body");
                if (ContentType.Length > 0)
                {
                    json.WriteString("content_type", ContentType);
                }

                json.WriteString("content", Content);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.ToArray());
    }

    /// <summary>The reader's errors by the field of the form their JSON pointer names.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ErrorsByField(IEnumerable<ApiError> errors) =>
        errors.GroupBy(e => FieldOf(e.Pointer)).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(e => e.Detail)]);

    public IReadOnlyList<string> ErrorsOf(string field) => Errors.TryGetValue(field, out var list) ? list : [];

    private IEnumerable<(string Name, string Value)> HeaderLines()
    {
        foreach (var raw in Headers.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            yield return colon < 0 ? (line.Trim(), string.Empty) : (line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
    }

    private static string FieldOf(string? pointer)
    {
        const string Attributes = "/data/attributes/";
        if (pointer is null || !pointer.StartsWith(Attributes, StringComparison.Ordinal))
        {
            return "form";
        }

        var rest = pointer[Attributes.Length..];
        var first = rest.Split('/')[0];
        return first switch
        {
            "method" => MethodField,
            "url" => UrlField,
            "headers" => HeadersField,
            "body" => rest.StartsWith("body/content_type", StringComparison.Ordinal) ? ContentTypeField : ContentField,
            _ => "form",
        };
    }
}
