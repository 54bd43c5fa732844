namespace ActionConnections.Observability;

/// <summary>
/// Counts the Action Connection operations by operation and outcome, from the route that matched
/// and the status answered (including the gateway's 403 and 429 and the error pipeline's 500),
/// so handlers carry no metric code. The operation is the route template's, never the raw path.
/// </summary>
internal sealed class ConnectionOperationMetrics(RequestDelegate next, ActionConnectionsMetrics metrics)
{
    private const string Collection = "/api/v2/actions/connections";
    private const string Item = "/api/v2/actions/connections/{connection_id}";

    public async Task InvokeAsync(HttpContext context)
    {
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            if (OperationOf(context) is { } operation)
            {
                metrics.RecordConnectionOperation(operation, failed ? "error" : ActionConnectionsMetrics.OutcomeOf(context.Response.StatusCode));
            }
        }
    }

    private static string? OperationOf(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return null;
        }

        var route = endpoint.RoutePattern.RawText?.TrimEnd('/');
        var method = context.Request.Method;
        return route switch
        {
            Collection when HttpMethods.IsPost(method) => "create",
            Collection when HttpMethods.IsGet(method) => "list",
            Item when HttpMethods.IsGet(method) => "get",
            Item when HttpMethods.IsPatch(method) => "update",
            Item when HttpMethods.IsDelete(method) => "delete",
            _ => null,
        };
    }
}
