using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Http;
using ActionConnections.HttpRequests;
using ActionConnections.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole.Pages;

/// <summary>
/// One connection: its non-secret fields, its secrets as "set", its access policy, its recent
/// audit events, and the Test panel, which sends a request through the connection exactly as the
/// http_requests extension does (same reader, permission, relation, executor and audit).
/// </summary>
internal sealed class ConnectionModel(
    IIdentityStore identity,
    IAuditLog audit,
    IAccessStore accessStore,
    ConnectionAccess access,
    HttpRequestExecutor executor,
    IOptions<HttpLimitsOptions> options) : ConsolePageModel
{
    public const int RecentEvents = 10;

    public PublicConnection? Connection { get; private set; }

    public ConnectionView? View { get; private set; }

    public Relation Relation { get; private set; }

    /// <summary>acting_user_can_resolve: the Test panel is offered only then.</summary>
    public bool CanResolve { get; private set; }

    public AccessPolicyView? Policy { get; private set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    public bool Saved { get; private set; }

    /// <summary>What the Test form holds (echoed back after a send, never containing a secret: the caller typed it).</summary>
    public TestDraft Test { get; private set; } = TestDraft.Empty;

    public async Task<IActionResult> OnGetAsync(string id, [FromQuery(Name = "saved")] string? saved)
    {
        if (AuthorizeConnections(Permission.ConnectionsRead) is { } denied)
        {
            return Refuse(denied);
        }

        if (!await LoadAsync(id))
        {
            return NotFoundPage();
        }

        Saved = saved == "1";
        return Page();
    }

    /// <summary>The Test panel: POST <c>/console/connections/{id}?handler=test</c>.</summary>
    public async Task<IActionResult> OnPostTestAsync(string id)
    {
        var ct = HttpContext.RequestAborted;
        var form = await Request.ReadFormAsync(ct);
        Test = TestDraft.FromForm(form);

        // The http_requests extension's order: permission, request, then the relation.
        if (AuthorizeConnections(Permission.ConnectionsResolve) is { } denied)
        {
            await RecordTestAsync(id, denied.StatusCode, null);
            return Refuse(denied);
        }

        if (!RouteIds.TryParseUuid(id, out var connectionId))
        {
            return NotFoundPage();
        }

        using var document = Test.ToRequestDocument();
        var errors = new ValidationErrors();
        var input = HttpRequestReader.Read(document.RootElement, options.Value.MaxRequestBodyBytes, errors);
        ExecutionOutcome? outcome = null;
        var status = StatusCodes.Status400BadRequest;
        if (input is null)
        {
            Test = Test with { Errors = TestDraft.ErrorsByField(errors.Errors) };
        }
        else
        {
            switch (await access.AuthorizeAsync(Caller, connectionId, Relation.Resolver, ct, resolving: true))
            {
                case AccessOutcome.NotFound:
                    await RecordTestAsync(id, StatusCodes.Status404NotFound, null);
                    return NotFoundPage();
                case AccessOutcome.Forbidden:
                    var forbidden = ConnectionAccessEndpoints.ForbiddenProblem(Relation.Resolver, resolving: true);
                    await RecordTestAsync(id, forbidden.StatusCode, null);
                    return Refuse(forbidden);
            }

            outcome = await executor.ExecuteAsync(Caller, connectionId, input, ct);
            if (outcome is null)
            {
                await RecordTestAsync(id, StatusCodes.Status404NotFound, null);
                return NotFoundPage();
            }

            status = outcome.Problem?.StatusCode ?? StatusCodes.Status200OK;
            Test = Test with { Response = outcome.Response?.Data.Attributes, Problem = outcome.Problem };
        }

        await RecordTestAsync(id, status, outcome?.AuditDetail);
        if (!await LoadAsync(id))
        {
            return NotFoundPage();
        }

        // The page itself is fine; what the upstream answered is in the panel. A request the
        // reader refused is the caller's error, as the API's 400.
        if (input is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return Page();
    }

    private async Task<bool> LoadAsync(string id)
    {
        if (await FindVisibleAsync(id) is not var (connection, relation))
        {
            return false;
        }

        var ct = HttpContext.RequestAborted;
        Connection = connection;
        Relation = relation;
        CanResolve = ConnectionAccess.CanResolve(Caller, relation);
        View = ConnectionView.Of(connection);
        Names = await ConsoleNames.PrincipalsAsync(identity, Caller.OrgId, ct);
        var bindings = (await accessStore.BindingsOfAsync(Caller.OrgId, [connection.Id], ct)).GetValueOrDefault(connection.Id) ?? [];
        var (roles, _) = await accessStore.ListRolesAsync(Caller.OrgId, new RoleQuery(null, null, "name", false, 100, 0), ct);
        Policy = AccessPolicyView.Of(bindings, Names, roles.Items.ToDictionary(r => r.Id, r => r.Name), connection.CreatedBy, relation);
        if (Caller.Has(Permission.AuditLogsRead))
        {
            (Events, _) = await audit.ListAsync(Caller.OrgId, new AuditQuery(null, null, null, RecentEvents, 0, connection.Id.ToString("D")), ct);
        }

        return true;
    }

    /// <summary>One event per use, as the extension writes it (its detail: method, host, path, outcome; never a header or body).</summary>
    private Task RecordTestAsync(string id, int status, string? detail) =>
        RecordAsync(AuditActions.ConnectionHttpRequest, "connection", id, status, detail);
}
