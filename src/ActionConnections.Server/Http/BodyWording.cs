using System.Globalization;
using System.Text.Json;

namespace ActionConnections.Http;

/// <summary>
/// How an API family words what is wrong with a request body. The words are part of each
/// family's wire contract, so the one reader (<see cref="JsonBody"/>, <see cref="JsonObjectReader"/>)
/// speaks both: the Action Connection family names fields ("missing required field name",
/// "name must be a string") and points at them with <c>source.pointer</c>; key management names
/// them by path ("data.attributes.name is required") in <c>{"errors":["…"]}</c>.
/// </summary>
internal sealed class BodyWording
{
    /// <summary>The Action Connection family.</summary>
    public static readonly BodyWording Fields = new(paths: false);

    /// <summary>Key management.</summary>
    public static readonly BodyWording Paths = new(paths: true);

    private readonly bool _paths;

    private BodyWording(bool paths) => _paths = paths;

    /// <summary>How the member <paramref name="name"/> at <paramref name="pointer"/> is named in a detail.</summary>
    public string Subject(string pointer, string name) => _paths ? Dotted(pointer) : name;

    public string Missing(string pointer, string name) => _paths ? $"{Dotted(pointer)} is required" : $"missing required field {name}";

    public string NotAnObject(string pointer) => pointer.Length == 0
        ? _paths ? "The request body must be a JSON object" : "the request body must be an object"
        : $"{Subject(pointer, pointer[(pointer.LastIndexOf('/') + 1)..])} must be an object";

    /// <summary>The detail for a body that is not JSON; key management says only that it is malformed.</summary>
    public string Malformed(JsonException e)
    {
        if (_paths)
        {
            return "Malformed JSON body";
        }

        var where = e.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {e.BytePositionInLine + 1})")
            : string.Empty;
        return e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
            ? $"request body has a duplicate member name{where}"
            : e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"request body is nested deeper than {JsonBody.MaxDepth} levels"
                : $"request body is not valid JSON{where}";
    }

    private static string Dotted(string pointer) => pointer.TrimStart('/').Replace('/', '.');
}
