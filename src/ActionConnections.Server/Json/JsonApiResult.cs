using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ActionConnections.Json;

/// <summary>
/// Writes a body as compact JSON with Datadog's <c>application/vnd.api+json</c> content type,
/// which is what the real service sends for every body, success or error.
/// </summary>
internal sealed class JsonApiResult<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode, string contentType = JsonApiResult.ContentType) : IResult, IStatusCodeHttpResult
{
    public T Value { get; } = value;

    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary>
    /// Serialized whole first, so the response carries a <c>Content-Length</c> and goes out in one
    /// write rather than in chunked framing (bodies here are a few kilobytes at most).
    /// </summary>
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(Value, typeInfo);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }
}

internal static class JsonApiResult
{
    public const string ContentType = "application/vnd.api+json";

    public static JsonApiResult<T> Ok<T>(T value, JsonTypeInfo<T> typeInfo) => new(value, typeInfo, StatusCodes.Status200OK);

    public static JsonApiResult<T> Created<T>(T value, JsonTypeInfo<T> typeInfo) => new(value, typeInfo, StatusCodes.Status201Created);
}
