using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>Deleting a connection, confirmed by typing its name; through the API's service and audit (source <c>console</c>).</summary>
internal sealed class DeleteConnectionModel(ConnectionService connections, ConnectionAccess access) : ConsolePageModel
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

        if (await FindVisibleAsync(id) is not var (connection, relation))
        {
            return NotFoundPage();
        }

        Connection = connection;
        return RequireEditor(relation) is { } notEditor ? Refuse(notEditor) : Page();
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        if (AuthorizeConnections(Permission.ConnectionWrite) is { } denied)
        {
            return Refuse(denied);
        }

        if (await FindVisibleAsync(id) is not var (connection, relation))
        {
            return NotFoundPage();
        }

        Connection = connection;
        if (RequireEditor(relation) is { } notEditor)
        {
            return Refuse(notEditor);
        }

        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        if (!string.Equals(form[ConfirmField].ToString(), Connection.Name, StringComparison.Ordinal))
        {
            Error = "The name typed is not this connection's name; nothing was deleted.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var target = Connection.Id.ToString("D");
        if (!await connections.DeleteAsync(Caller, Connection.Id, Audited(AuditActions.ConnectionDelete, "connection", target), HttpContext.RequestAborted))
        {
            return NotFoundPage();
        }

        // As the API's DELETE: the connection's policy went with it.
        access.Invalidate();
        return Redirect($"{ConsoleRoutes.Connections}?deleted=1");
    }
}
