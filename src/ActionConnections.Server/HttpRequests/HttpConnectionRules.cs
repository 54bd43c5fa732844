using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ActionConnections.HttpRequests;

/// <summary>
/// HTTP connections (<c>HTTPTokenAuth</c>) as Datadog's runner uses them (docs/reference/USING-CONNECTIONS.md,
/// "HTTP connections"): <c>{{ tokenName }}</c> rendered in the connection's header values, URL
/// parameter values and body content (an unknown name renders empty); connection headers override
/// the request's; connection URL parameters are appended; bodies merge by content type.
/// </summary>
internal static partial class HttpConnectionRules
{
    /// <summary>Renders <c>{{ name }}</c> (spaces inside the braces allowed) from <paramref name="tokens"/>.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> tokens) =>
        Placeholder().Replace(template, match => tokens.GetValueOrDefault(match.Groups[1].Value, string.Empty));

    public static bool IsJson(string contentType)
    {
        var media = MediaType(contentType);
        return media.EndsWith("/json", StringComparison.Ordinal) || media.EndsWith("+json", StringComparison.Ordinal);
    }

    public static bool IsMultipart(string contentType) => MediaType(contentType) == "multipart/form-data";

    /// <summary>
    /// The body sent: the request's merged with the connection's rendered body. JSON: shallow
    /// merge of two objects, the connection's members winning. Multipart: both are JSON arrays of
    /// <c>{"key","value"}</c> pairs, the connection's keys overriding. Other text: connection body,
    /// CRLF, request body. Null with a problem when a part cannot be read as its type says.
    /// </summary>
    public static (string? Content, string? Problem) MergeBody(string contentType, string? request, string connection)
    {
        if (string.IsNullOrEmpty(request))
        {
            return (connection, null);
        }

        if (IsJson(contentType))
        {
            if (ParseObject(request) is not { } requestObject)
            {
                return (null, "the request body must be a JSON object to merge the connection's body into it");
            }

            if (ParseObject(connection) is not { } connectionObject)
            {
                return (null, "the connection's rendered body is not a JSON object, so it cannot be merged");
            }

            foreach (var (name, value) in connectionObject.ToList())
            {
                connectionObject.Remove(name);
                requestObject[name] = value;
            }

            return (requestObject.ToJsonString(), null);
        }

        if (IsMultipart(contentType))
        {
            var (fields, problem) = ParseFormFields(request, "the request body");
            var (overrides, connectionProblem) = ParseFormFields(connection, "the connection's rendered body");
            if ((problem ?? connectionProblem) is { } anyProblem)
            {
                return (null, anyProblem);
            }

            foreach (var (key, value) in overrides!)
            {
                fields!.RemoveAll(f => f.Key == key);
                fields.Add(new(key, value));
            }

            return (SerializeFormFields(fields!), null);
        }

        return ($"{connection}\r\n{request}", null);
    }

    /// <summary>A multipart body's fields: <c>[{"key":"…","value":"…"}]</c>.</summary>
    public static (List<KeyValuePair<string, string>>? Fields, string? Problem) ParseFormFields(string content, string what)
    {
        try
        {
            if (JsonNode.Parse(content) is not JsonArray array)
            {
                return (null, $"{what} must be a JSON array of {{\"key\",\"value\"}} objects for multipart/form-data");
            }

            var fields = new List<KeyValuePair<string, string>>();
            foreach (var item in array)
            {
                if (item is not JsonObject o || o["key"] is not JsonValue key || key.GetValueKind() != JsonValueKind.String
                    || o["value"] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                {
                    return (null, $"{what} must be a JSON array of {{\"key\",\"value\"}} objects with string members for multipart/form-data");
                }

                fields.Add(new(key.GetValue<string>(), value.GetValue<string>()));
            }

            return (fields, null);
        }
        catch (JsonException)
        {
            return (null, $"{what} is not valid JSON (multipart/form-data bodies are given as [{{\"key\",\"value\"}}])");
        }
    }

    private static string SerializeFormFields(List<KeyValuePair<string, string>> fields)
    {
        var array = new JsonArray();
        foreach (var (key, value) in fields)
        {
            array.Add(new JsonObject { ["key"] = key, ["value"] = value });
        }

        return array.ToJsonString();
    }

    private static JsonObject? ParseObject(string content)
    {
        try
        {
            return JsonNode.Parse(content, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The media type of a content type, lower case, without parameters.</summary>
    public static string MediaType(string contentType)
    {
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    /// <summary>The multipart body as it goes on the wire, with a fresh boundary.</summary>
    public static (byte[] Bytes, string ContentType) EncodeMultipart(List<KeyValuePair<string, string>> fields)
    {
        var boundary = $"----actionconnections{Guid.NewGuid():N}";
        var builder = new StringBuilder();
        foreach (var (key, value) in fields)
        {
            var name = key.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);
            builder.Append("--").Append(boundary).Append("\r\n")
                .Append("Content-Disposition: form-data; name=\"").Append(name).Append("\"\r\n\r\n")
                .Append(value).Append("\r\n");
        }

        builder.Append("--").Append(boundary).Append("--\r\n");
        return (Encoding.UTF8.GetBytes(builder.ToString()), $"multipart/form-data; boundary={boundary}");
    }

    [GeneratedRegex(@"\{\{\s*([^{}\s]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
