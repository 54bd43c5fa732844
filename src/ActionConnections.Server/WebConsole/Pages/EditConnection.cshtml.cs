using ActionConnections.Audit;
using ActionConnections.Connections;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.WebConsole.Forms;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ActionConnections.WebConsole.Pages;

/// <summary>
/// Editing a connection: the form filled with its non-secret values; it becomes the API's update
/// document (secrets left empty are kept, list items merge by name) and goes through the API's
/// reader, service and audit (source <c>console</c>).
/// </summary>
internal sealed class EditConnectionModel(ConnectionService connections) : ConsolePageModel
{
    public ConnectionFormView? Form { get; private set; }

    public PublicConnection? Connection { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, [FromQuery(Name = "credential")] string? credential)
    {
        var editable = await FindEditableAsync(id);
        if (editable is not { Connection: { } connection, Refusal: null } || CatalogForms.Find(connection.Integration.Type) is not { } integration)
        {
            return editable.Refusal ?? NotFoundPage();
        }

        Connection = connection;
        var chosen = integration.Credential(credential ?? connection.Integration.AnyCredentials.Type);
        Form = View(ConnectionDraft.FromStored(connection, integration, chosen), connection.Id);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        var editable = await FindEditableAsync(id);
        if (editable is not { Connection: { } connection, Refusal: null } || CatalogForms.Find(connection.Integration.Type) is not { } integration)
        {
            return editable.Refusal ?? NotFoundPage();
        }

        Connection = connection;
        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        var credential = integration.Credential(form[$"{ConnectionDraft.CredentialsPointer}/type"]);
        var (draft, document) = ConnectionDraft.FromForm(form, integration, credential, update: true);
        using (document)
        {
            var errors = new ValidationErrors();
            var request = ConnectionRequests.ReadUpdate(document.RootElement, errors);
            if (request is null)
            {
                return Invalid(draft, errors.Errors, connection);
            }

            var target = connection.Id.ToString("D");
            var outcome = await connections.UpdateAsync(Caller, connection.Id, request, Audited(AuditActions.ConnectionUpdate, "connection", target), HttpContext.RequestAborted);
            if (!outcome.TryGetValue(out var updated, out var invalid))
            {
                return Invalid(draft, invalid.Errors, connection);
            }

            return updated is null ? NotFoundPage() : Redirect($"{ConsoleRoutes.Connection(updated.Id)}?saved=1");
        }
    }

    private PageResult Invalid(ConnectionDraft draft, IReadOnlyList<ApiError> errors, PublicConnection connection)
    {
        draft.AddErrors(errors);

        // Generated values are not posted; show the stored ones again.
        foreach (var (pointer, value) in ConnectionDraft.FromStored(connection, draft.Integration, draft.Credential).Values)
        {
            draft.Values.TryAdd(pointer, value);
        }

        Form = View(draft, connection.Id);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private static ConnectionFormView View(ConnectionDraft draft, Guid id) => new(draft, IsEdit: true, "Save changes", ConsoleRoutes.Connection(id));
}
