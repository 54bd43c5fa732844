namespace ActionConnections.Errors;

/// <summary>
/// Datadog's v2 API has two error shapes. The Action Connection operations answer
/// <c>{"errors":[{"status","title","detail","source"}]}</c> as <c>application/vnd.api+json</c>;
/// the key management operations answer <c>{"errors":["…"]}</c> as <c>application/json</c>.
/// The family is decided by the request path, so the framework's own errors (unknown route,
/// wrong method, body too large) take the shape of the API the client was talking to.
/// </summary>
internal enum ErrorFamily
{
    JsonApi,
    Strings,
}

internal static class ErrorFamilies
{
    private static readonly string[] StringFamilyPrefixes =
    [
        "/api/v2/api_keys",
        "/api/v2/application_keys",
        "/api/v2/current_user",
        "/api/v2/service_accounts",
        "/api/v2/restriction_policy",
        "/api/v2/roles",
        "/api/v2/users",
    ];

    public static ErrorFamily For(PathString path)
    {
        foreach (var prefix in StringFamilyPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return ErrorFamily.Strings;
            }
        }

        return ErrorFamily.JsonApi;
    }
}
