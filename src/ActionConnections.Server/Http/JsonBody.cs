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

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check decodes member names: an unpaired surrogate escape in one fails there.
            return (null, InvalidText);
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

        if (!HasValidText(document.RootElement))
        {
            document.Dispose();
            return (null, InvalidText);
        }

        return (document, null);
    }

    /// <summary>
    /// True when every string and member name decodes. <see cref="JsonDocument"/> checks structure
    /// only: invalid UTF-8 or an unpaired surrogate escape (<c>"\ud800"</c>) inside a string parses,
    /// then throws when the string is read, which would be a 500 (or, in a member nobody reads,
    /// an accepted body that is not JSON). Decoding everything once here makes every later
    /// <c>GetString()</c> safe.
    /// </summary>
    public static bool HasValidText(JsonElement element)
    {
        try
        {
            Decode(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static ApiProblem InvalidText => ApiProblem.BadRequest("request body is not valid UTF-8 JSON text (invalid bytes or an unpaired surrogate escape in a string)");

    /// <summary>Recursion is bounded by <see cref="MaxDepth"/>, which the parser enforced.</summary>
    private static void Decode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    _ = member.Name;
                    Decode(member.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Decode(item);
                }

                break;
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
