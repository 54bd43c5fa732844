using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ActionConnections.WebConsole;

/// <summary>
/// Every console page but sign-in: without a live session the browser is sent to sign in. The
/// caller is the one the session resolved (<see cref="ConsoleMiddleware"/>), with the same
/// permissions and registration as the API would see for that key pair.
/// </summary>
internal abstract class ConsolePageModel : PageModel
{
    /// <summary>Where a console change comes from in the audit trail.</summary>
    public const string AuditSource = "console";

    protected Caller Caller => HttpContext.Features.Get<Caller>()
        ?? throw new InvalidOperationException("No console session on this request.");

    /// <summary>The API's refusal, shown instead of the page's data.</summary>
    public string? Denied { get; private set; }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (HttpContext.Features.Get<Caller>() is null)
        {
            string back = HttpMethods.IsGet(HttpContext.Request.Method) ? (HttpContext.Request.Path + HttpContext.Request.QueryString).ToString() : ConsoleRoutes.Connections;
            context.Result = Redirect($"{ConsoleRoutes.SignIn}?return={Uri.EscapeDataString(back)}");
            return;
        }

        await next();
    }

    /// <summary>
    /// The connection operations' declared rules, evaluated as the gateway evaluates them
    /// (ADR 0011): a registered application key first, then the permission.
    /// </summary>
    protected ApiProblem? AuthorizeConnections(Permission permission) =>
        RegisteredAppKeyRule.Instance.Check(Caller) ?? Authorize(permission);

    /// <summary>The permission rule of an operation (the spec's <c>x-permission</c>), as the gateway evaluates it.</summary>
    protected ApiProblem? Authorize(Permission anyOf) => new PermissionRule(anyOf).Check(Caller);

    /// <summary>
    /// A connection of the caller's organisation that the caller may at least view, with the
    /// caller's relation to it (the one access check of ADR 0016, as the API's GET asks it). An id
    /// that is not a UUID, does not exist, belongs to another organisation or is hidden from the
    /// caller by its restriction policy: null, answered as "not found" alike.
    /// </summary>
    protected async Task<(PublicConnection Connection, Relation Relation)?> FindVisibleAsync(string id)
    {
        if (!RouteIds.TryParseUuid(id, out var connectionId))
        {
            return null;
        }

        var ct = HttpContext.RequestAborted;
        var relation = await HttpContext.RequestServices.GetRequiredService<ConnectionAccess>().RelationOfAsync(Caller, connectionId, ct);
        if (relation == Relation.None)
        {
            return null;
        }

        return await HttpContext.RequestServices.GetRequiredService<IConnectionStore>().FindPublicAsync(Caller.OrgId, connectionId, ct) is { } connection
            ? (connection, relation)
            : null;
    }

    /// <summary>
    /// The connection a changing page (edit, delete) works on, after the same checks in the same
    /// order as the API's PATCH and DELETE: the write rules, then visibility (else "not found"),
    /// then the editor relation. <see cref="Editable.Refusal"/> is the answer when one of them
    /// refuses; <see cref="Editable.Connection"/> is set whenever the caller may see it.
    /// </summary>
    protected async Task<Editable> FindEditableAsync(string id)
    {
        if (AuthorizeConnections(Permission.ConnectionWrite) is { } denied)
        {
            return new Editable(null, Refuse(denied));
        }

        if (await FindVisibleAsync(id) is not var (connection, relation))
        {
            return new Editable(null, NotFoundPage());
        }

        return new Editable(connection, RequireEditor(relation) is { } notEditor ? Refuse(notEditor) : null);
    }

    /// <summary>The API's 403 for a connection the caller sees but may not change (relation below editor).</summary>
    protected static ApiProblem? RequireEditor(Relation relation) =>
        relation < Relation.Editor ? ConnectionAccessEndpoints.ForbiddenProblem(Relation.Editor, resolving: false) : null;

    /// <summary>Renders the page with the API's refusal in place of its data, with the API's status.</summary>
    protected PageResult Refuse(ApiProblem problem)
    {
        Denied = string.Join(" ", problem.Errors.Select(e => e.Detail));
        Response.StatusCode = problem.StatusCode;
        return Page();
    }

    /// <summary>A console action before its outcome, as the API describes its own, with source <c>console</c>; audited writes commit its event with the change.</summary>
    protected AuditedAction Audited(string action, string targetType, string? targetId = null) =>
        AuditedAction.Http(HttpContext, action, targetType, Caller, targetId: targetId) with { Source = AuditSource };

    /// <summary>Writes the event of an action that changed nothing in the store (refused, or a request sent).</summary>
    protected Task RecordAsync(string action, string targetType, string? targetId, int status, string? detail = null) =>
        HttpContext.RequestServices.GetRequiredService<AuditRecorder>().RecordOutcomeAsync(Audited(action, targetType, targetId), status, detail, CancellationToken.None);

    /// <summary>An HTML "not found", the same for an id that does not exist and one of another organisation.</summary>
    protected IActionResult NotFoundPage() => NotFound();
}

/// <summary>What <see cref="ConsolePageModel.FindEditableAsync"/> found: the connection, or the page that refuses (or both, when it is seen but not editable).</summary>
internal readonly record struct Editable(PublicConnection? Connection, IActionResult? Refusal);
