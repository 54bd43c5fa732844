using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Http;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>Deleting a connection, confirmed by typing its name; through the API's service and audit (source <c>console</c>).</summary>
internal sealed class DeleteConnectionModel(IConnectionStore store, ConnectionService connections) : ConsolePageModel
{
    public const string ConfirmField = "confirm_name";

    public PublicConnection? Connection { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (AuthorizeConnections(Permission.ConnectionWrite) is { } denied)
        {
            return Refuse(denied);
        }

        Connection = await FindAsync(id);
        return Connection is null ? NotFoundPage() : Page();
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        if (AuthorizeConnections(Permission.ConnectionWrite) is { } denied)
        {
            return Refuse(denied);
        }

        Connection = await FindAsync(id);
        if (Connection is null)
        {
            return NotFoundPage();
        }

        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        if (!string.Equals(form[ConfirmField].ToString(), Connection.Name, StringComparison.Ordinal))
        {
            Error = "The name typed is not this connection's name; nothing was deleted.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var target = Connection.Id.ToString("D");
        if (!await connections.DeleteAsync(Caller, Connection.Id, DescribeChange(AuditActions.ConnectionDelete, "connection", target, StatusCodes.Status204NoContent), HttpContext.RequestAborted))
        {
            return NotFoundPage();
        }

        return Redirect($"{ConsoleRoutes.Connections}?deleted=1");
    }

    private async Task<PublicConnection?> FindAsync(string id) =>
        RouteIds.TryParseUuid(id, out var connectionId) ? await store.FindPublicAsync(Caller.OrgId, connectionId, HttpContext.RequestAborted) : null;
}
