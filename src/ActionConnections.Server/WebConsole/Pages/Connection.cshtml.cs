using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Http;
using ActionConnections.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>One connection: its non-secret fields, its secrets as "set", its recent audit events.</summary>
internal sealed class ConnectionModel(IConnectionStore store, IIdentityStore identity, IAuditLog audit) : ConsolePageModel
{
    public const int RecentEvents = 10;

    public PublicConnection? Connection { get; private set; }

    public ConnectionView? View { get; private set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, [FromQuery(Name = "saved")] string? saved)
    {
        if (AuthorizeConnections(Permission.ConnectionsRead) is { } denied)
        {
            return Refuse(denied);
        }

        var ct = HttpContext.RequestAborted;
        if (!RouteIds.TryParseUuid(id, out var connectionId) || await store.FindPublicAsync(Caller.OrgId, connectionId, ct) is not { } connection)
        {
            return NotFoundPage();
        }

        Connection = connection;
        View = ConnectionView.Of(connection);
        Saved = saved == "1";
        Names = await ConsoleNames.PrincipalsAsync(identity, Caller.OrgId, ct);
        if (Caller.Has(Permission.AuditLogsRead))
        {
            (Events, _) = await audit.ListAsync(Caller.OrgId, new AuditQuery(null, null, null, RecentEvents, 0, connectionId.ToString("D")), ct);
        }

        return Page();
    }
}
