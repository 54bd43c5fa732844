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
            return (document, null);
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
