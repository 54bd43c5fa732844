using Microsoft.AspNetCore.Diagnostics;

namespace ActionConnections.Errors;

/// <summary>
/// Wires the framework's error hooks (exception handler, status-code pages) to the one
/// <see cref="ErrorWriter"/>, so every error of the service has the same shape.
/// </summary>
internal static class ErrorPipeline
{
    public static IHostApplicationBuilder AddErrorPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
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
/// malformed bodies, reading timeouts) keep their status; a store that cannot answer now (the
/// provider's <see cref="Storage.IDatabase.IsTransient"/>) is a 503; anything else is a 500 that
/// says nothing about internals. Client disconnects are not errors.
/// </summary>
internal sealed partial class ApiExceptionHandler(Storage.IDatabase db, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
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
            _ when db.IsTransient(exception) => ErrorWriter.ForStatus(StatusCodes.Status503ServiceUnavailable),
            _ => ErrorWriter.ForStatus(StatusCodes.Status500InternalServerError),
        };

        if (problem is null)
        {
            return true;
        }

        if (problem.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            // Expected while the database is down or failing over: one line each, no stack.
            LogStoreUnavailable(logger, (exception.InnerException ?? exception).GetType().FullName ?? "unknown", httpContext.TraceIdentifier);
        }
        else if (problem.StatusCode >= 500)
        {
            // The exception type and stack only: messages of storage or crypto exceptions are
            // not guaranteed to be free of request data.
            LogUnhandled(logger, exception.GetType().FullName ?? "unknown", httpContext.TraceIdentifier, exception.StackTrace ?? string.Empty);
        }

        httpContext.Response.Clear();
        await ErrorWriter.WriteAsync(httpContext, problem);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is unavailable ({ExceptionType}) in request {RequestId}; answered 503")]
    private static partial void LogStoreUnavailable(ILogger logger, string exceptionType, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in request {RequestId}\n{StackTrace}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, string requestId, string stackTrace);
}
