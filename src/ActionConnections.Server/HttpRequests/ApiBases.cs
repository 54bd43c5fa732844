using ActionConnections.Connections.Integrations;

namespace ActionConnections.HttpRequests;

/// <summary>
/// <c>ACTIONCONNECTIONS_INTEGRATION_API_BASES</c>: comma-separated <c>Type=URL</c> pairs that
/// replace an integration's API base for this deployment (self-managed GitLab, an LLM gateway,
/// fakes in tests). HTTP connections carry their own <c>base_url</c> and are not listed here.
/// </summary>
internal static class ApiBases
{
    public const string SettingName = "ACTIONCONNECTIONS_INTEGRATION_API_BASES";

    /// <summary>The problem with the setting's value, or null when it is valid.</summary>
    public static string? Validate(string? value)
    {
        try
        {
            Parse(value);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    public static IReadOnlyDictionary<string, Uri> Parse(string? value)
    {
        var bases = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var pair in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var type = equals > 0 ? pair[..equals].Trim() : string.Empty;
            var url = equals > 0 ? pair[(equals + 1)..].Trim() : string.Empty;
            if (type.Length == 0 || url.Length == 0)
            {
                throw new FormatException($"{SettingName}: '{pair}' is not Type=URL (e.g. Gitlab=https://gitlab.example.com/api/v4).");
            }

            if (!IntegrationCatalog.IsKnown(type) || type == "HTTP")
            {
                throw new FormatException($"{SettingName}: '{type}' is not an integration with an API base; HTTP connections carry their own base_url.");
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                throw new FormatException($"{SettingName}: the URL of {type} must be an absolute http(s) URL without user info, query or fragment.");
            }

            if (!bases.TryAdd(type, uri))
            {
                throw new FormatException($"{SettingName}: {type} is listed twice.");
            }
        }

        return bases;
    }
}
