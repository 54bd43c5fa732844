using System.Text;
using ActionConnections.Cloud;
using ActionConnections.Connections;
using ActionConnections.Connections.Integrations;

namespace ActionConnections.HttpRequests;

/// <summary>
/// The request as it will go out: URL (the caller's, joined onto the connection's API base and
/// kept on its host), headers (the caller's, then the connection's, the credential last), body
/// (merged for HTTP connections). Header names the connection put in are remembered, so a
/// redirect to another host never carries them.
/// </summary>
internal sealed record OutboundRequest(
    string Method,
    Uri Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlySet<string> ConnectionHeaderNames,
    byte[]? Body,
    string? ContentType,
    bool BodyHasConnectionContent,
    string DestinationAuthority,
    IReadOnlyList<string> EncodedSecretForms)
{
    /// <summary>How to sign each hop (AWS connections); null for a request that carries its credential in a header.</summary>
    public AwsSigningCredential? Signing { get; init; }

    /// <summary>
    /// Builds the request, or says why the caller's request cannot go out (a 400). A cloud
    /// connection's request is built without its credential: the caller's <c>Authorization</c>
    /// (and for AWS the signature's own headers) dropped, the minted credential added afterwards.
    /// </summary>
    public static (OutboundRequest? Request, string? Problem, string? Pointer) Build(
        HttpRequestInput input, Integration integration, DestinationResult destination, IReadOnlyDictionary<string, string> secrets, bool cloud = false)
    {
        var (url, urlProblem) = ResolveUrl(input.Url, destination);
        if (url is null)
        {
            return (null, urlProblem, "/data/attributes/url");
        }

        var headers = new List<KeyValuePair<string, string>>();
        var connectionHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var encodedForms = new List<string>();
        var parameters = new List<KeyValuePair<string, string>>(input.UrlParameters);
        var contentType = input.ContentType ?? input.Headers.LastOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        var content = input.Content;
        var bodyHasConnectionContent = false;

        // The handler asks for the encodings it can decode itself: a body is read decoded, so
        // secrets in it can be masked. Content-Type travels with the body.
        var callerHeaders = input.Headers.Where(h => !h.Key.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase)
            && !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).ToList();

        var credential = integration.Definition.FindCredential(integration.AnyCredentials.Type);
        if (integration.AnyCredentials is HttpTokenAuth auth)
        {
            var tokens = (auth.Tokens ?? []).ToDictionary(t => t.Name, t => secrets.GetValueOrDefault($"tokens/{t.Name}", string.Empty), StringComparer.Ordinal);
            foreach (var header in auth.Headers ?? [])
            {
                connectionHeaders.Add(header.Name);
            }

            headers.AddRange(callerHeaders.Where(h => !connectionHeaders.Contains(h.Key)));
            foreach (var header in auth.Headers ?? [])
            {
                headers.Add(new(header.Name, HttpConnectionRules.Render(header.Value, tokens)));
            }

            foreach (var parameter in auth.UrlParameters ?? [])
            {
                parameters.Add(new(parameter.Name, HttpConnectionRules.Render(parameter.Value, tokens)));
            }

            if (auth.Body is { } body && !string.IsNullOrEmpty(body.Content))
            {
                if (body.ContentType is { Length: > 0 } required && contentType is not null
                    && !contentType.StartsWith(required, StringComparison.OrdinalIgnoreCase))
                {
                    return (null, $"the body's content type '{contentType}' does not start with the connection's content_type '{required}'", "/data/attributes/body/content_type");
                }

                contentType ??= body.ContentType;
                var (merged, mergeProblem) = HttpConnectionRules.MergeBody(contentType ?? string.Empty, content, HttpConnectionRules.Render(body.Content, tokens));
                if (merged is null)
                {
                    return (null, mergeProblem, "/data/attributes/body/content");
                }

                content = merged;
                bodyHasConnectionContent = true;
            }
        }
        else if (credential?.Auth is CredentialAuth.Headers scheme)
        {
            // The plain fields only where a template may name them (they are read by serialising
            // the credentials, a cost HTTP connections, the common case, need not pay).
            var values = Destinations.PlainFields(integration);
            foreach (var (name, value) in secrets)
            {
                values[name] = value;
            }

            // A template naming a field carries the credential; one naming none is a fixed header
            // (an API version), which the caller may set instead.
            var credentialTemplates = scheme.Templates.Where(t => CatalogTemplate.Placeholders(t.Value).Any()).ToList();
            var fixedTemplates = scheme.Templates.Where(t => !CatalogTemplate.Placeholders(t.Value).Any()).ToList();

            // The credential always wins: the caller's Authorization and the scheme's own
            // credential headers are dropped, never forwarded, whatever the scheme uses.
            foreach (var name in credentialTemplates.Select(t => t.Name).Append("Authorization"))
            {
                connectionHeaders.Add(name);
            }

            headers.AddRange(callerHeaders.Where(h => !connectionHeaders.Contains(h.Key)));
            foreach (var template in fixedTemplates)
            {
                if (!headers.Any(h => h.Key.Equals(template.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    headers.Add(new(template.Name, template.Value));
                }
            }

            foreach (var template in credentialTemplates)
            {
                if (template.Render(name => values.GetValueOrDefault(name)) is { Length: > 0 } value)
                {
                    if (template.Encoding == HeaderEncoding.Basic)
                    {
                        // The base64 form is masked in answers like the secrets themselves.
                        encodedForms.Add(value["Basic ".Length..]);
                    }

                    headers.Add(new(template.Name, value));
                }
            }
        }
        else if (cloud)
        {
            connectionHeaders.Add("Authorization");
            if (integration.Type == "AWS")
            {
                connectionHeaders.UnionWith(AwsRequestSigner.OwnedHeaders);
            }

            headers.AddRange(callerHeaders.Where(h => !connectionHeaders.Contains(h.Key)));
        }
        else
        {
            return (null, $"{integration.Type} connections have no credential this endpoint can send", null);
        }

        if (headers.Any(h => h.Value.Any(c => c is '\r' or '\n' or '\0')))
        {
            // Only the connection's values can get here (the caller's were checked when read).
            return (null, "the connection's credential or headers contain a line break or NUL and cannot be sent in a header", null);
        }

        byte[]? bytes = null;
        if (content is not null)
        {
            if (contentType is not null && HttpConnectionRules.IsMultipart(contentType))
            {
                var (fields, problem) = HttpConnectionRules.ParseFormFields(content, "the request body");
                if (fields is null)
                {
                    return (null, problem, "/data/attributes/body/content");
                }

                (bytes, contentType) = HttpConnectionRules.EncodeMultipart(fields);
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(content);
            }
        }

        if (parameters.Count > 0)
        {
            var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
            var builder = new UriBuilder(url) { Query = url.Query.Length > 1 ? $"{url.Query[1..]}&{query}" : query };
            url = builder.Uri;
        }

        return (new OutboundRequest(input.Method, url, headers, connectionHeaders, bytes, contentType, bodyHasConnectionContent, Destinations.Authority(url), encodedForms), null, null);
    }

    /// <summary>
    /// An absolute http(s) URL on the connection's host, or a path joined onto its API base.
    /// Host and port must be the API base's, or for a cloud connection's default destinations one
    /// of its host patterns over https: a caller cannot send the credential elsewhere.
    /// </summary>
    private static (Uri? Url, string? Problem) ResolveUrl(string url, DestinationResult destination)
    {
        Uri? resolved;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out resolved) || resolved.Host.Length == 0)
            {
                return (null, "url is not a valid absolute URL");
            }
        }
        else if (url.StartsWith("//", StringComparison.Ordinal) || url.StartsWith('\\') || url.Contains("://", StringComparison.Ordinal)
            || (url.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 && (url.IndexOf('/', StringComparison.Ordinal) is var slash && (slash < 0 || colon < slash))))
        {
            return (null, "url must be an absolute http(s) URL or a path relative to the connection's API base");
        }
        else if (destination.ApiBase is not { } apiBase)
        {
            return (null, $"url must be an absolute https URL: the connection has no default API base (its hosts: {string.Join(", ", destination.Hosts ?? [])})");
        }
        else
        {
            var basePath = apiBase.GetLeftPart(UriPartial.Path).TrimEnd('/');
            if (!Uri.TryCreate($"{basePath}/{url.TrimStart('/')}", UriKind.Absolute, out resolved))
            {
                return (null, "url is not a valid path");
            }
        }

        if (resolved.UserInfo.Length > 0)
        {
            return (null, "url must not contain user info");
        }

        var actual = Destinations.Authority(resolved);
        if (destination.Hosts is { } hosts)
        {
            if (resolved.Scheme != Uri.UriSchemeHttps || !resolved.IsDefaultPort || !hosts.Any(pattern => Destinations.HostMatches(resolved, pattern)))
            {
                return (null, $"url host '{actual}' is not one of the connection's hosts ({string.Join(", ", hosts)}, https on port 443)");
            }
        }
        else if (destination.ApiBase is { } apiBase && Destinations.Authority(apiBase) is var expected && actual != expected)
        {
            return (null, $"url host '{actual}' does not match the connection's host '{expected}'");
        }

        // A fragment is never sent; drop it rather than let it confuse a path check upstream.
        return (resolved.Fragment.Length > 0 ? new UriBuilder(resolved) { Fragment = string.Empty }.Uri : resolved, null);
    }
}

/// <summary>An AWS request's signing: the minted session credential and what it is signed for.</summary>
internal sealed record AwsSigningCredential(AwsSessionCredential Credential, AwsSigning Target);
