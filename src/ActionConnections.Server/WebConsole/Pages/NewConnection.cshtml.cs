using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Http;
using ActionConnections.WebConsole.Forms;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>
/// Creating a connection: choose the integration (and credential type), then its form. The
/// posted form becomes the API's create document and goes through the API's reader, service and
/// audit (source <c>console</c>), so it is validated and stored exactly as a POST would be.
/// </summary>
internal sealed class NewConnectionModel(ConnectionService connections) : ConsolePageModel
{
    public static IReadOnlyList<FormIntegration> Integrations => CatalogForms.All;

    public ConnectionFormView? Form { get; private set; }

    public IActionResult OnGet([FromQuery(Name = "integration")] string? integration, [FromQuery(Name = "credential")] string? credential)
    {
        if (AuthorizeConnections(Permission.ConnectionWrite) is { } denied)
        {
            return Refuse(denied);
        }

        if (CatalogForms.Find(integration) is { } chosen)
        {
            Form = View(new ConnectionDraft(chosen, chosen.Credential(credential)));
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (AuthorizeConnections(Permission.ConnectionWrite) is { } denied)
        {
            return Refuse(denied);
        }

        var form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        if (CatalogForms.Find(form[$"{ConnectionDraft.IntegrationPointer}/type"]) is not { } integration)
        {
            return Redirect(ConsoleRoutes.NewConnection);
        }

        var credential = integration.Credential(form[$"{ConnectionDraft.CredentialsPointer}/type"]);
        var (draft, document) = ConnectionDraft.FromForm(form, integration, credential, update: false);
        using (document)
        {
            var errors = new ValidationErrors();
            if (ConnectionRequests.ReadCreate(document.RootElement, errors) is not { } request)
            {
                draft.AddErrors(errors.Errors);
                Form = View(draft);
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            var created = await connections.CreateAsync(
                Caller, request, Audited(AuditActions.ConnectionCreate, "connection"), HttpContext.RequestAborted);
            return Redirect($"{ConsoleRoutes.Connection(created.Id)}?saved=1");
        }
    }

    private static ConnectionFormView View(ConnectionDraft draft) => new(draft, IsEdit: false, "Create connection", ConsoleRoutes.Connections);
}
