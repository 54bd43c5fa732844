using ActionConnections.Audit;
using ActionConnections.WebConsole.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>Ends the session (POST only, with the anti-forgery token like every form).</summary>
internal sealed class SignOutModel : ConsolePageModel
{
    public IActionResult OnGet() => Redirect(ConsoleRoutes.Connections);

    public async Task<IActionResult> OnPostAsync()
    {
        await RecordAsync(AuditActions.ConsoleSignOut, "app_key", Caller.AppKeyId.ToString("D"), StatusCodes.Status303SeeOther);
        ConsoleSessions.End(HttpContext);
        return Redirect($"{ConsoleRoutes.SignIn}?signed_out=1");
    }
}
