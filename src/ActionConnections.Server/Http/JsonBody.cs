using System.Globalization;
using System.Text.Json;
using ActionConnections.Errors;

namespace ActionConnections.Http;

/// <summary>
/// Reads a request body as a JSON document: JSON content type required, duplicate member names
/// and nesting deeper than <see cref="MaxDepth"/> refused, size bounded by Kestrel's body limit.
/// Problems are answered as values, in the error shape of the request's API family.
/// </summary>
internal static class JsonBody
{
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static async Task<(JsonDocument? Document, ApiProblem? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ErrorWriter.ForStatus(StatusCodes.Status415UnsupportedMediaType));
        }

        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
            if (HasInvalidUnicode(document.RootElement))
            {
                document.Dispose();
                return (null, InvalidUnicode);
            }

            return (document, null);
        }
        catch (InvalidOperationException)
        {
            // Thrown by the duplicate-name check when a member name is an invalid escape.
            return (null, InvalidUnicode);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {e.BytePositionInLine + 1})")
                : string.Empty;
            var detail = e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                ? $"request body has a duplicate member name{where}"
                : e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                    ? $"request body is nested deeper than {MaxDepth} levels"
                    : $"request body is not valid JSON{where}";
            return (null, ApiProblem.BadRequest(detail));
        }
    }

    /// <summary>The answer to a body with a string that is not valid Unicode: invalid UTF-8 bytes, or an escape that is not valid UTF-16 (a lone surrogate such as <c>\ud800</c>).</summary>
    public static ApiProblem InvalidUnicode => ApiProblem.BadRequest("request body holds a string that is not valid Unicode (invalid UTF-8 or a lone surrogate escape)");

    /// <summary>
    /// JSON allows escapes such as <c>"\ud800"</c> that decode to no valid string, and
    /// System.Text.Json checks structure only, not the UTF-8 inside strings: it parses both but
    /// throws on reading the value. Checked once here, for every string and member name, so no
    /// reader downstream meets one.
    /// </summary>
    public static bool HasInvalidUnicode(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return true;
        }

        static bool Walk(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return false;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (Walk(property.Value))
                        {
                            return true;
                        }
                    }

                    return false;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (Walk(item))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    return false;
            }
        }
    }

    /// <summary><c>application/json</c> or any <c>+json</c> type, with any parameters.</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }
}
