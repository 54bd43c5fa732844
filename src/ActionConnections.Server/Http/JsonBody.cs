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

    /// <summary>
    /// The body as a document (the caller disposes it), or the answer to give, worded as the
    /// request's API family words it (<see cref="BodyWording"/>).
    /// </summary>
    public static async Task<Validated<JsonDocument>> ReadAsync(HttpRequest request, BodyWording wording, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return ErrorWriter.ForStatus(StatusCodes.Status415UnsupportedMediaType);
        }

        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
            if (HasInvalidUnicode(document.RootElement))
            {
                document.Dispose();
                return InvalidUnicode;
            }

            return Validated.Valid(document);
        }
        catch (InvalidOperationException)
        {
            // Thrown by the duplicate-name check when a member name is an invalid escape.
            return InvalidUnicode;
        }
        catch (JsonException e)
        {
            return ApiProblem.BadRequest(wording.Malformed(e));
        }
    }

    /// <summary>
    /// Reads the body and then its root object with <paramref name="read"/>, which records every
    /// problem in the errors it is given: the value, or every error at once.
    /// </summary>
    public static async Task<Validated<T>> ReadAsync<T>(
        HttpRequest request, BodyWording wording, Func<JsonElement, ValidationErrors, T?> read, CancellationToken cancellationToken)
        where T : class
    {
        if (!(await ReadAsync(request, wording, cancellationToken)).TryGetValue(out var document, out var problem))
        {
            return problem;
        }

        using (document)
        {
            var errors = new ValidationErrors(wording);
            var value = read(document.RootElement, errors);
            return errors.Any || value is null ? errors.ToProblem() : Validated.Valid(value);
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
