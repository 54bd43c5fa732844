using System.Text.Json;
using ActionConnections.Cloud;
using ActionConnections.Http;

namespace ActionConnections.HttpRequests;

/// <summary>A validated <c>http_request</c>: what the caller asks to send through a connection.</summary>
internal sealed record HttpRequestInput(
    string Method,
    string Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, string>> UrlParameters,
    string? ContentType,
    string? Content,
    int TimeoutSeconds,
    bool FollowRedirects)
{
    /// <summary>The <c>aws</c> attribute (AWS connections only): how to sign; null when not given.</summary>
    public AwsSigningInput? Aws { get; init; }
}

/// <summary>The <c>aws</c> attribute as given: the signing name of the service and the region, each optional here.</summary>
internal sealed record AwsSigningInput(string? Service, string? Region);

/// <summary>
/// Reads <c>{"data":{"type":"http_request","attributes":{…}}}</c> with explicit code, every
/// problem reported at once with its JSON pointer. Headers the server owns (framing, hop-by-hop,
/// forwarding) are refused: the caller cannot smuggle a second request or spoof where it came from.
/// </summary>
internal static class HttpRequestReader
{
    public const string DataType = "http_request";
    public const int DefaultTimeoutSeconds = 30;
    public const int MaxTimeoutSeconds = 120;
    public const int MaxUrlLength = 8 * 1024;
    public const int MaxHeaderValueLength = 8 * 1024;

    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal) { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

    /// <summary>Headers only the server may set: framing, hop-by-hop and forwarding headers.</summary>
    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "proxy-authorization",
        "proxy-authenticate", "te", "trailer", "upgrade", "forwarded", "expect", "http2-settings",
    };

    public static HttpRequestInput? Read(JsonElement root, long maxContentLength, ValidationErrors errors)
    {
        if (JsonObjectReader.OpenData(root, DataType, errors) is not { } data)
        {
            return null;
        }

        if (data.RequiredObject("attributes") is not { } attributes)
        {
            return null;
        }

        var method = attributes.RequiredString("method", 16);
        if (attributes.Has("method") && !Methods.Contains(method))
        {
            attributes.Fail("method", $"method '{method}' is not allowed; allowed values: {string.Join(", ", Methods)}");
        }

        var url = attributes.RequiredString("url", MaxUrlLength);
        if (attributes.Has("url") && (url.Length == 0 || url.Any(c => char.IsControl(c) || c == ' ')))
        {
            attributes.Fail("url", "url must be a non-empty URL or path without spaces or control characters");
        }

        var headers = ReadPairs(attributes, "headers", "name", "value", checkHeader: true);
        var parameters = ReadPairs(attributes, "url_parameters", "name", "value", checkHeader: false);

        string? contentType = null, content = null;
        if (attributes.OptionalObject("body") is { } bodyReader)
        {
            contentType = bodyReader.OptionalString("content_type", 256);
            content = bodyReader.OptionalString("content", (int)Math.Min(int.MaxValue, maxContentLength));
            if (contentType is not null && (contentType.Length == 0 || contentType.Any(char.IsControl)))
            {
                bodyReader.Fail("content_type", "content_type must be a media type without control characters");
            }
        }

        var attributesElement = root.GetProperty("data").GetProperty("attributes");
        var timeout = DefaultTimeoutSeconds;
        if (attributesElement.TryGetProperty("timeout_seconds", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out timeout) || timeout is < 1 or > MaxTimeoutSeconds)
            {
                attributes.Fail("timeout_seconds", $"timeout_seconds must be a whole number from 1 to {MaxTimeoutSeconds}");
            }
        }

        var follow = attributes.OptionalBool("follow_redirects") ?? false;
        AwsSigningInput? aws = null;
        if (attributes.OptionalObject("aws") is { } awsReader)
        {
            var service = awsReader.OptionalString("service", 64);
            var region = awsReader.OptionalString("region", 32);
            if (service is not null && !AwsSigning.IsServiceName(service))
            {
                awsReader.Fail("service", "service must be an AWS signing name: lowercase letters, digits and hyphens (e.g. ec2, s3, execute-api)");
            }

            if (region is not null && !AwsSigning.IsRegion(region))
            {
                awsReader.Fail("region", "region must be an AWS region name (e.g. us-east-1, eu-west-3, cn-north-1)");
            }

            aws = new AwsSigningInput(service, region);
        }

        return errors.Any ? null : new HttpRequestInput(method, url, headers, parameters, contentType, content, timeout, follow) { Aws = aws };
    }

    /// <summary>Why the caller may not set header <paramref name="name"/>, or null when it may.</summary>
    public static string? ForbiddenHeader(string name) =>
        ForbiddenHeaders.Contains(name) || name.StartsWith("x-forwarded-", StringComparison.OrdinalIgnoreCase) || name.StartsWith(':')
            ? $"header '{name}' is set by the server and may not be sent"
            : null;

    private static List<KeyValuePair<string, string>> ReadPairs(JsonObjectReader attributes, string list, string nameField, string valueField, bool checkHeader)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (attributes.OptionalObjectList(list) is not { } items)
        {
            return pairs;
        }

        if (items.Count > JsonObjectReader.MaxListItems)
        {
            attributes.Fail(list, $"{list} may have at most {JsonObjectReader.MaxListItems} items");
            return pairs;
        }

        foreach (var item in items)
        {
            var name = item.RequiredString(nameField, 256);
            var value = item.RequiredString(valueField, MaxHeaderValueLength);
            if (!item.Has(nameField) || !item.Has(valueField))
            {
                continue;
            }

            if (checkHeader)
            {
                if (name.Length == 0 || !name.All(IsTokenChar))
                {
                    item.Fail(nameField, $"'{name}' is not a valid header name");
                    continue;
                }

                if (ForbiddenHeader(name) is { } forbidden)
                {
                    item.Fail(nameField, forbidden);
                    continue;
                }

                if (value.Any(c => c is '\r' or '\n' or '\0' || c > '\u00ff'))
                {
                    item.Fail(valueField, "header values may not contain CR, LF, NUL or characters beyond Latin-1");
                    continue;
                }
            }
            else if (name.Length == 0)
            {
                item.Fail(nameField, "name must not be empty");
                continue;
            }

            pairs.Add(new(name, value));
        }

        return pairs;
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
