using ActionConnections.Errors;
using ActionConnections.Identity;

namespace ActionConnections.Audit;

/// <summary>What an audited endpoint does, declared where it is mapped (<see cref="AuditedEndpoints.Audited"/>).</summary>
internal sealed record AuditedOperation(string Action, string TargetType, string? RouteIdName);

/// <summary>
/// An audited action before its outcome is known: what it is, who does it and from where.
/// Handlers of audited endpoints take it as a parameter and pass it to
/// <see cref="AuditedWrites"/>, which decides the outcome after the write.
/// </summary>
internal sealed record AuditedAction(
    string Action,
    string? TargetType,
    Guid? OrgId,
    Guid? PrincipalId,
    Guid? ApiKeyId,
    Guid? AppKeyId,
    string? RequestId,
    string? ClientAddress,
    string Source,
    string? TargetId = null)
{
    public const int MaxTargetIdLength = 64;

    /// <summary>An action of the admin CLI (or of the server on its own, e.g. key rotation).</summary>
    public static AuditedAction Cli(Guid? orgId, string action, string? targetType) =>
        new(action, targetType, orgId, null, null, null, null, null, "cli");

    /// <summary>An action of an HTTP request; <paramref name="caller"/> is null when authentication failed.</summary>
    public static AuditedAction Http(HttpContext context, string action, string? targetType, Caller? caller, Guid? orgId = null, string? targetId = null) =>
        new(action, targetType, caller?.OrgId ?? orgId, caller?.PrincipalId, caller?.ApiKeyId, caller?.AppKeyId,
            context.TraceIdentifier, context.Connection.RemoteIpAddress?.ToString(), "api", targetId);

    /// <summary>
    /// The action of a request to an audited endpoint: what the endpoint declares, on the resource
    /// its route names (as sent), by <paramref name="caller"/>.
    /// </summary>
    public static AuditedAction Of(HttpContext context, AuditedOperation operation, Caller? caller) =>
        Http(context, operation.Action, operation.TargetType, caller, null,
            operation.RouteIdName is null ? null : context.GetRouteValue(operation.RouteIdName)?.ToString());

    /// <summary>Minimal API parameter binding: the operation the endpoint declares, by the authenticated caller.</summary>
    public static ValueTask<AuditedAction?> BindAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<AuditedOperation>()
            ?? throw new InvalidOperationException("The endpoint is not declared .Audited().");
        var caller = context.Features.Get<Caller>() ?? throw new InvalidOperationException("No authenticated caller on this request.");
        return ValueTask.FromResult<AuditedAction?>(Of(context, operation, caller));
    }

    /// <summary>
    /// The event, once the outcome is known. <paramref name="status"/> is the HTTP status answered
    /// (null outside HTTP); <paramref name="targetId"/> names a resource the action created, else
    /// the action's own target applies.
    /// </summary>
    public AuditEvent Completed(DateTimeOffset at, int? status, string? targetId = null, string? detail = null) => new()
    {
        Id = Guid.NewGuid(),
        At = at,
        OrgId = OrgId,
        Action = Action,
        Outcome = status is null or (>= 200 and < 300) ? "success" : "failure",
        Status = status,
        PrincipalId = PrincipalId,
        ApiKeyId = ApiKeyId,
        AppKeyId = AppKeyId,
        TargetType = TargetType,
        TargetId = (targetId ?? TargetId) is { Length: > MaxTargetIdLength } target ? target[..MaxTargetIdLength] : targetId ?? TargetId,
        RequestId = RequestId,
        ClientAddress = ClientAddress,
        Source = Source,
        Detail = detail,
    };
}

/// <summary>
/// What a write did, decided after it ran: the HTTP status answered (null outside HTTP) and, for
/// a create, the resource it made (other actions keep the target they name); what else the event
/// records (<see cref="AuditEvent.Detail"/>).
/// </summary>
internal readonly record struct AuditOutcome(int? Status, string? CreatedId = null, string? Detail = null)
{
    public static AuditOutcome Http(int status) => new(status);

    public static AuditOutcome Created(Guid id) => new(StatusCodes.Status201Created, id.ToString("D"));

    public static AuditOutcome Cli(Guid targetId) => new(null, targetId.ToString("D"));
}

internal static class AuditedEndpoints
{
    /// <summary>
    /// Declares a write endpoint audited: one event per call. A change that commits writes its
    /// event in its own transaction (<see cref="AuditedWrites"/>); a call that changes nothing
    /// (refused, invalid, not found) is recorded here with the status it answers. A call refused
    /// by the endpoint's declared access rules never reaches the handler and is recorded by the
    /// gateway (<see cref="AuditRecorder.RecordRefusalAsync"/>).
    /// </summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action, string targetType, string? routeIdName = null)
    {
        var operation = new AuditedOperation(action, targetType, routeIdName);
        return builder.WithMetadata(operation).AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation);
            if (StatusOf(result) is var status and (< 200 or >= 300))
            {
                var http = invocation.HttpContext;
                await http.RequestServices.GetRequiredService<AuditRecorder>().RecordRefusalAsync(http, http.Features.Get<Caller>(), operation, status);
            }

            return result;
        });
    }

    /// <summary>
    /// Declares an endpoint audited whose handler writes its one event itself, once it knows the
    /// outcome and what else the event records (<see cref="AuditRecorder.RecordOutcomeAsync"/>);
    /// for actions that change nothing in the store (a request sent, credentials minted). A call
    /// refused by the declared access rules is recorded by the gateway, as for <see cref="Audited"/>.
    /// </summary>
    public static RouteHandlerBuilder AuditedByHandler(this RouteHandlerBuilder builder, string action, string targetType, string? routeIdName = null) =>
        builder.WithMetadata(new AuditedOperation(action, targetType, routeIdName));

    /// <summary>The HTTP status a handler's result answers with.</summary>
    public static int StatusOf(object? result)
    {
        if (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }

        return result switch
        {
            ApiProblemResult problem => problem.Problem.StatusCode,
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            _ => StatusCodes.Status200OK,
        };
    }
}
