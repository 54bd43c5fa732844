using System.Text.Json;
using ActionConnections.Json;

namespace ActionConnections.Errors;

/// <summary>The one writer of error bodies, used by endpoints, middleware and the framework's hooks.</summary>
internal static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, ApiProblem problem)
    {
        var response = context.Response;
        response.StatusCode = problem.StatusCode;
        var ct = context.RequestAborted;
        if (ErrorFamilies.For(context.Request.Path) == ErrorFamily.Strings)
        {
            response.ContentType = "application/json";
            var body = new StringErrorResponse([.. problem.Errors.Select(e => e.Detail)]);
            return JsonSerializer.SerializeAsync(response.Body, body, AppJson.Context.StringErrorResponse, ct);
        }

        response.ContentType = JsonApiResult.ContentType;
        var items = problem.Errors.Select(e => new JsonApiErrorItem
        {
            Status = e.Status,
            Title = e.Title,
            Detail = e.Detail,
            Source = e.Pointer is null && e.Parameter is null ? null : new JsonApiErrorSource { Pointer = e.Pointer, Parameter = e.Parameter },
        }).ToList();
        return JsonSerializer.SerializeAsync(response.Body, new JsonApiErrorResponse(items), AppJson.Context.JsonApiErrorResponse, ct);
    }

    /// <summary>Generic body for a bare status code (unknown route, wrong method…).</summary>
    public static ApiProblem ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => new(statusCode, new ApiError("Bad Request", "Bad Request", "400")),
        StatusCodes.Status403Forbidden => ApiProblem.Forbidden(),
        StatusCodes.Status404NotFound => new(statusCode, new ApiError("Not Found", "Not Found", "404")),
        StatusCodes.Status405MethodNotAllowed => new(statusCode, new ApiError("Method Not Allowed", "Method Not Allowed", "405")),
        StatusCodes.Status408RequestTimeout => new(statusCode, new ApiError("Request Timeout", "Request Timeout", "408")),
        StatusCodes.Status411LengthRequired => new(statusCode, new ApiError("Length Required", "Length Required", "411")),
        StatusCodes.Status413PayloadTooLarge => new(statusCode, new ApiError("Request body too large", "Payload Too Large", "413")),
        StatusCodes.Status414UriTooLong => new(statusCode, new ApiError("URI Too Long", "URI Too Long", "414")),
        StatusCodes.Status415UnsupportedMediaType => new(statusCode, new ApiError("Content-Type must be application/json", "Unsupported Media Type", "415")),
        StatusCodes.Status429TooManyRequests => new(statusCode, new ApiError("Too many requests", "Too Many Requests", "429")),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => new(statusCode, new ApiError("Request header fields too large", "Request Header Fields Too Large", "431")),
        StatusCodes.Status503ServiceUnavailable => new(statusCode, new ApiError("Service temporarily unavailable", "Service Unavailable", "503")),
        >= 500 => new(statusCode, new ApiError("Internal Server Error", "Internal Server Error", statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        _ => new(statusCode, new ApiError("Request failed", null, statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))),
    };
}

/// <summary>An <see cref="IResult"/> for an error, so endpoints return errors as values.</summary>
internal sealed class ApiProblemResult(ApiProblem problem) : IResult
{
    public ApiProblem Problem { get; } = problem;

    public Task ExecuteAsync(HttpContext httpContext) => ErrorWriter.WriteAsync(httpContext, Problem);
}
