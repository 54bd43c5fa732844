using Microsoft.AspNetCore.Diagnostics;

namespace ActionConnections.Errors;

/// <summary>
/// Wires the framework's error hooks (exception handler, status-code pages) to the one
/// <see cref="ErrorWriter"/>, so every error of the service has the same shape.
/// </summary>
internal static class ErrorPipeline
{
    public static IServiceCollection AddErrorPipeline(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }

    public static WebApplication UseErrorPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (!http.Response.HasStarted && http.Response.ContentLength is null && string.IsNullOrEmpty(http.Response.ContentType))
            {
                await ErrorWriter.WriteAsync(http, ErrorWriter.ForStatus(http.Response.StatusCode));
            }
        });
        return app;
    }
}

/// <summary>
/// Turns exceptions into error bodies. Bad requests the framework detects (oversized or
/// malformed bodies, reading timeouts) keep their status; anything else is a 500 that says
/// nothing about internals. Client disconnects are not errors.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        // No JsonException arm: request bodies are parsed by JsonBody, which answers malformed
        // JSON itself, so one that gets here comes from stored data and is the server's fault
        // (answering "Malformed JSON body" to a GET would blame the client).
        var problem = exception switch
        {
            BadHttpRequestException bad => ErrorWriter.ForStatus(bad.StatusCode),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            Storage.StoreUnavailableException => ErrorWriter.ForStatus(StatusCodes.Status503ServiceUnavailable),
            _ => ErrorWriter.ForStatus(StatusCodes.Status500InternalServerError),
        };

        if (problem is null)
        {
            return true;
        }

        if (problem.StatusCode >= 500)
        {
            // The exception type and stack only: messages of storage or crypto exceptions are
            // not guaranteed to be free of request data.
            LogUnhandled(logger, exception.GetType().FullName ?? "unknown", httpContext.TraceIdentifier, exception.StackTrace ?? string.Empty);
        }

        httpContext.Response.Clear();
        await ErrorWriter.WriteAsync(httpContext, problem);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in request {RequestId}\n{StackTrace}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, string requestId, string stackTrace);
}
