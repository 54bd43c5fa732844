using System.Text.Json.Serialization.Metadata;

using ActionConnections.Errors;
using ActionConnections.Json;

namespace ActionConnections.KeyManagement;

/// <summary>
/// Datadog's Key Management API (docs/reference/KEY-MANAGEMENT.md): API keys, the caller's own application
/// keys, every application key of the organisation, and service accounts' application keys.
/// Errors of these paths take the <c>{"errors":["…"]}</c> shape (<see cref="ErrorFamily.Strings"/>).
/// </summary>
/// <remarks>
/// The organisation runs in Datadog's One-Time-Read mode: a key's secret is returned only in the
/// 201 response that creates it, for API keys and application keys alike. The store keeps only
/// hashes, so a key read back later could not carry its secret anyway.
/// </remarks>
internal static class KeyManagementApi
{
    /// <summary>Recorded <c>meta.max_allowed</c>; creating more is refused.</summary>
    public const int MaxApiKeysPerOrg = 200;

    /// <summary>Recorded <c>meta.max_allowed_per_user</c>; creating more is refused.</summary>
    public const int MaxAppKeysPerOwner = 1000;

    /// <summary>The recorded content type of every key management body.</summary>
    public const string ContentType = "application/json";

    public static IEndpointRouteBuilder MapKeyManagement(this IEndpointRouteBuilder routes)
    {
        routes.MapApiKeys();
        routes.MapCurrentUserAppKeys();
        routes.MapOrgAppKeys();
        routes.MapServiceAccountAppKeys();
        return routes;
    }

    /// <summary>Recorded 404 body, also for an id that is not a UUID: <c>{"errors":["API key not found"]}</c>.</summary>
    public static ApiProblem ApiKeyNotFound => new(StatusCodes.Status404NotFound, new ApiError("API key not found"));

    /// <summary>Recorded 404 body, also for an id that is not a UUID: <c>{"errors":["Application key not found"]}</c>.</summary>
    public static ApiProblem AppKeyNotFound => new(StatusCodes.Status404NotFound, new ApiError("Application key not found"));

    public static ApiProblem ServiceAccountNotFound => new(StatusCodes.Status404NotFound, new ApiError("Service account not found"));

    /// <summary>
    /// CreateServiceAccountApplicationKey documents 400, 403 and 429 but no 404 (the official
    /// clients turn an undocumented status into "Unknown API Status Code"), so there an account
    /// that does not exist is a bad request, as an unknown key is for RegisterAppKey.
    /// </summary>
    public static ApiProblem ServiceAccountNotFoundOnCreate => new(StatusCodes.Status400BadRequest, new ApiError("Service account not found"));

    public static JsonApiResult<T> Ok<T>(T body, JsonTypeInfo<T> typeInfo) => new(body, typeInfo, StatusCodes.Status200OK, ContentType);

    public static JsonApiResult<T> Created<T>(T body, JsonTypeInfo<T> typeInfo) => new(body, typeInfo, StatusCodes.Status201Created, ContentType);
}
