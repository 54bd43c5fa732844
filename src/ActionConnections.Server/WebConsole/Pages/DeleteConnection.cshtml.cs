using ActionConnections.Access;
using ActionConnections.Audit;
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
        var editable = await FindEditableAsync(id);
        Connection = editable.Connection;
        return editable.Refusal ?? Page();
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        var editable = await FindEditableAsync(id);
        Connection = editable.Connection;
        if (editable is not { Connection: { } connection, Refusal: null })
        {
            return editable.Refusal ?? NotFoundPage();
        }

        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        if (!string.Equals(form[ConfirmField].ToString(), connection.Name, StringComparison.Ordinal))
        {
            Error = "The name typed is not this connection's name; nothing was deleted.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var target = connection.Id.ToString("D");
        if (!await connections.DeleteAsync(Caller, connection.Id, Audited(AuditActions.ConnectionDelete, "connection", target), HttpContext.RequestAborted))
        {
            return NotFoundPage();
        }

        // As the API's DELETE: the connection's policy went with it.
        access.Invalidate();
        return Redirect($"{ConsoleRoutes.Connections}?deleted=1");
    }
}
