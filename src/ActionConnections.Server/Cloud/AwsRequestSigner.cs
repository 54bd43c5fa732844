using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.SecurityToken;
using Amazon.Util;

namespace ActionConnections.Cloud;

/// <summary>
/// What an AWS request is signed for: the signing name of the service and the region. Given in
/// the request's <c>aws</c> attribute, else read from a standard endpoint host
/// (<c>{service}.{region}.amazonaws.com</c>, <c>{service}.amazonaws.com</c>, <c>.cn</c> alike),
/// the region else <c>ACTIONCONNECTIONS_AWS_REGION</c>.
/// </summary>
internal sealed partial record AwsSigning(string Service, string Region)
{
    public static bool IsServiceName(string service) => ServicePattern().IsMatch(service);

    public static bool IsRegion(string region) => RegionPattern().IsMatch(region);

    /// <summary>
    /// The service and region for a request to <paramref name="host"/>; the service is null when
    /// neither given nor readable from the host (the caller must name it).
    /// </summary>
    public static (string? Service, string Region) Resolve(string host, string? service, string? region, string defaultRegion)
    {
        var labels = host.ToLowerInvariant().Split('.');
        var suffix = labels.Length >= 3 && labels[^2] == "amazonaws" && labels[^1] == "com" ? 2
            : labels.Length >= 4 && labels[^3] == "amazonaws" && labels[^2] == "com" && labels[^1] == "cn" ? 3
            : 0;
        string? hostService = null, hostRegion = null;
        if (suffix > 0)
        {
            var names = labels[..^suffix];
            if (IsRegion(names[^1]))
            {
                // {anything}.{region}.amazonaws.com: the region is certain; the service only in the plain form.
                hostRegion = names[^1];
                hostService = names.Length == 2 && IsServiceName(names[0]) ? names[0] : null;
            }
            else if (names.Length == 1 && IsServiceName(names[0]))
            {
                hostService = names[0];
            }
        }

        return (service ?? hostService, region ?? hostRegion ?? defaultRegion);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex ServicePattern();

    /// <summary>e.g. <c>us-east-1</c>, <c>us-gov-west-1</c>, <c>cn-north-1</c>, <c>us-isob-east-1</c>.</summary>
    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\z")]
    private static partial Regex RegionPattern();
}

/// <summary>
/// Signs an outgoing request with Signature Version 4, with the AWS SDK's own signer
/// (<see cref="AWS4Signer"/>): the assumed role's temporary credentials, its session token
/// (<c>x-amz-security-token</c>, signed), the payload's SHA-256 (<c>x-amz-content-sha256</c>) and
/// <c>x-amz-date</c>. Signed headers: <c>host</c>, <c>content-type</c> and every <c>x-amz-*</c>
/// header; the rest travel unsigned (as the SDK leaves <c>User-Agent</c>), so nothing a handler
/// rewrites on the way can break the signature. The URL's path and query are re-encoded the way the
/// SDK encodes them, so what is sent is exactly what was signed.
/// </summary>
internal static class AwsRequestSigner
{
    /// <summary>Headers the signature owns: a caller's value is dropped, never forwarded.</summary>
    public static readonly IReadOnlySet<string> OwnedHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", HeaderKeys.XAmzDateHeader, HeaderKeys.XAmzSecurityTokenHeader, HeaderKeys.XAmzContentSha256Header,
    };

    /// <summary>Only for the signer's region and service arguments: no client is made from it.</summary>
    private static readonly AmazonSecurityTokenServiceConfig SignerConfig = new();

    /// <summary>
    /// <paramref name="url"/> with its path and query encoded as the SDK encodes them (RFC 3986),
    /// the query's order kept. Sending this form makes the upstream's canonical request ours.
    /// </summary>
    public static Uri Canonical(Uri url)
    {
        var path = AWSSDKUtils.ResolveResourcePathV2(Uri.UnescapeDataString(url.AbsolutePath), null);
        var query = string.Join('&', QueryOf(url).Select(p => $"{AWSSDKUtils.UrlEncode(p.Key, false)}={AWSSDKUtils.UrlEncode(p.Value, false)}"));
        // Composed as text: UriBuilder would escape the escapes again.
        return new Uri(url.GetLeftPart(UriPartial.Authority) + path + (query.Length > 0 ? "?" + query : string.Empty));
    }

    /// <summary>Adds <c>Authorization</c>, <c>x-amz-date</c>, <c>x-amz-content-sha256</c> and <c>x-amz-security-token</c> to <paramref name="message"/>.</summary>
    public static void Sign(HttpRequestMessage message, byte[]? body, AwsSessionCredential credential, AwsSigning signing)
    {
        var url = message.RequestUri!;
        foreach (var owned in OwnedHeaders)
        {
            message.Headers.Remove(owned);
        }

        using var request = new DefaultRequest(new UnmodelledRequest(), signing.Service)
        {
            HttpMethod = message.Method.Method,
            Endpoint = new Uri(url.GetLeftPart(UriPartial.Authority)),
            ResourcePath = Uri.UnescapeDataString(url.AbsolutePath),
            UseQueryString = true,
            Content = body ?? [],
            AuthenticationRegion = signing.Region,
            OverrideSigningServiceName = signing.Service,
        };
        foreach (var group in QueryOf(url).GroupBy(p => p.Key, StringComparer.Ordinal))
        {
            var values = group.Select(p => p.Value).Order(StringComparer.Ordinal).ToList();
            if (values.Count == 1)
            {
                request.Parameters[group.Key] = values[0];
            }
            else
            {
                request.ParameterCollection.Add(group.Key, values);
            }
        }

        // The headers to sign: x-amz-* the caller set, the content type, the session token.
        foreach (var header in message.Headers.Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers[header.Key] = string.Join(',', header.Value);
        }

        if (message.Content?.Headers.ContentType is not null && message.Content.Headers.TryGetValues("Content-Type", out var contentType))
        {
            request.Headers["Content-Type"] = string.Join(',', contentType);
        }

        request.Headers[HeaderKeys.XAmzSecurityTokenHeader] = credential.SessionToken.Reveal();
        var result = new AWS4Signer(signPayload: true).SignRequest(request, SignerConfig, null, credential.AccessKeyId, credential.SecretAccessKey.Reveal());

        message.Headers.TryAddWithoutValidation(HeaderKeys.XAmzDateHeader, request.Headers[HeaderKeys.XAmzDateHeader]);
        message.Headers.TryAddWithoutValidation(HeaderKeys.XAmzContentSha256Header, request.Headers[HeaderKeys.XAmzContentSha256Header]);
        message.Headers.TryAddWithoutValidation(HeaderKeys.XAmzSecurityTokenHeader, credential.SessionToken.Reveal());
        message.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }

    /// <summary>The query's name/value pairs, decoded, in order; a name without <c>=</c> has the value "".</summary>
    private static IEnumerable<KeyValuePair<string, string>> QueryOf(Uri url) =>
        url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            return equals < 0
                ? new KeyValuePair<string, string>(Uri.UnescapeDataString(pair), string.Empty)
                : new KeyValuePair<string, string>(Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..]));
        });

    /// <summary>The SDK's request type needs an operation; a request of ours has none.</summary>
    private sealed class UnmodelledRequest : AmazonWebServiceRequest;
}
