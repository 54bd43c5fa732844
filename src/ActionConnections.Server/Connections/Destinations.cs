using System.Text.Json;
using System.Text.RegularExpressions;
using ActionConnections.Connections.Integrations;
using ActionConnections.Json;

namespace ActionConnections.Connections;

/// <summary>
/// Where a connection's requests go: HTTP connections to their <c>base_url</c>; the others to
/// their vendor's API base (the catalogue's <see cref="CredentialDefinition.ApiBase"/>), built from a credential field where
/// the vendor has one host per customer (Okta's and Freshservice's <c>domain</c>, ServiceNow's
/// <c>instance</c>, Datadog's <c>datacenter</c>), unless the deployment overrides it
/// (<paramref name="overrides"/>, the http_requests feature's <c>ACTIONCONNECTIONS_INTEGRATION_API_BASES</c>).
/// It lives with the connections because a secret is bound, when written, to the host its
/// connection names (<see cref="BindingHost"/>).
/// </summary>
internal sealed partial class Destinations(IReadOnlyDictionary<string, Uri> overrides)
{
    private readonly IReadOnlyDictionary<string, Uri> _overrides = overrides;

    /// <summary>The API base requests of this connection are joined onto and must stay on the host of.</summary>
    public DestinationResult Resolve(Integration integration)
    {
        if (integration.AnyCredentials is HttpTokenAuth)
        {
            return HttpBase(integration.Fields.Text("base_url"));
        }

        if (_overrides.TryGetValue(integration.Type, out var configured))
        {
            return new DestinationResult(configured, null);
        }

        if (CloudHosts.TryGetValue(integration.Type, out var cloud))
        {
            return cloud;
        }

        return FromScheme(integration);
    }

    /// <summary>
    /// Where the cloud integrations' minted credentials may go by default (issue 14): AWS's and
    /// Google's API hosts by pattern (every service has its own host), Azure's two API hosts, with
    /// Azure Resource Manager as the base of relative URLs. An override replaces them with its one host.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, DestinationResult> CloudHosts = new Dictionary<string, DestinationResult>(StringComparer.Ordinal)
    {
        ["AWS"] = new(null, null, ["*.amazonaws.com", "*.amazonaws.com.cn"]),
        ["Azure"] = new(new Uri("https://management.azure.com"), null, ["management.azure.com", "graph.microsoft.com"]),
        ["GCP"] = new(null, null, ["*.googleapis.com"]),
    };

    /// <summary>Whether <paramref name="url"/>'s host is <paramref name="pattern"/>: a name, or <c>*.</c> and a suffix (one or more labels before it).</summary>
    public static bool HostMatches(Uri url, string pattern)
    {
        if (url.HostNameType != UriHostNameType.Dns)
        {
            return false;
        }

        var host = url.IdnHost.ToLowerInvariant().TrimEnd('.');
        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.Length > pattern.Length - 1 && host.EndsWith(pattern[1..], StringComparison.Ordinal)
            : host == pattern;
    }

    /// <summary>
    /// The host (with its port when not the scheme's default) a secret entered now is bound to:
    /// the destination the connection's own fields name, not a deployment's override (the setting
    /// is the operator's, the binding guards against edits of the connection). Null when the
    /// integration has no destination of its own here (AWS, Azure, GCP).
    /// </summary>
    public static string? BindingHost(Integration integration) =>
        (integration.AnyCredentials is HttpTokenAuth ? HttpBase(integration.Fields.Text("base_url")) : FromScheme(integration)).ApiBase is { } uri ? Authority(uri) : null;

    /// <summary><c>host</c>, or <c>host:port</c> when the port is not the scheme's default; lower case.</summary>
    public static string Authority(Uri uri) => uri.IsDefaultPort ? uri.IdnHost.ToLowerInvariant() : $"{uri.IdnHost.ToLowerInvariant()}:{uri.Port}";

    /// <summary>The non-secret string fields of the credentials, by their wire names.</summary>
    public static Dictionary<string, string> PlainFields(Integration integration)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var element = JsonSerializer.SerializeToElement(integration, AppJson.Context.Integration);
        if (element.TryGetProperty("credentials", out var credentials) && credentials.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in credentials.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } value)
                {
                    fields[property.Name] = value;
                }
            }
        }

        return fields;
    }

    private static DestinationResult HttpBase(string? baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.UserInfo.Length == 0
            ? new DestinationResult(uri, null)
            : new DestinationResult(null, "the connection's base_url is not an absolute http(s) URL without user info");

    private static DestinationResult FromScheme(Integration integration)
    {
        if (integration.Definition.FindCredential(integration.AnyCredentials.Type) is not { ApiBase: { } apiBase })
        {
            return new DestinationResult(null, $"{integration.Type} connections have no API base this endpoint knows");
        }

        var fields = PlainFields(integration);
        string? problem = null;
        var url = FieldReference().Replace(apiBase, match =>
        {
            var name = match.Groups[1].Value;
            if (fields.TryGetValue(name, out var value) && HostText().IsMatch(value))
            {
                return value.ToLowerInvariant();
            }

            problem ??= $"the connection's {name} is not a host name, so it names no destination";
            return "invalid";
        });
        return problem is null ? new DestinationResult(new Uri(url), null) : new DestinationResult(null, problem);
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex FieldReference();

    /// <summary>Host names and labels only: no scheme, port, path, user info or anything else that would change the URL around it.</summary>
    [GeneratedRegex(@"^(?=.{1,253}\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostText();
}

/// <summary>
/// A connection's API base, or why it has none; for a cloud connection's default destinations,
/// the host patterns its requests may go to (and the base of relative URLs, when it has one).
/// </summary>
internal sealed record DestinationResult(Uri? ApiBase, string? Problem, IReadOnlyList<string>? Hosts = null);
