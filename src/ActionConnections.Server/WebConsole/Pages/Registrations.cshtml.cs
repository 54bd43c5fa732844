using ActionConnections.AppKeyRegistrations;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Gateway;
using ActionConnections.Http;
using ActionConnections.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>
/// The organisation's application keys and which are registered for the Action Connection API;
/// register and unregister with the API's rules (who may manage which key), audit (source
/// <c>console</c>) and the same at-once effect on cached authentications.
/// </summary>
internal sealed class RegistrationsModel(IIdentityStore identity, IRegistrationStore registrations, AuditedWrites writes, AuthenticationCache authentication) : ConsolePageModel
{
    public IReadOnlyList<AppKeyRecord> Keys { get; private set; } = [];

    public IReadOnlySet<Guid> Registered { get; private set; } = new HashSet<Guid>();

    public IReadOnlyDictionary<Guid, string> Owners { get; private set; } = new Dictionary<Guid, string>();

    public Guid CurrentKey => Caller.AppKeyId;

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public Task<IActionResult> OnPostRegisterAsync(string id) => ChangeAsync(id, register: true);

    public Task<IActionResult> OnPostUnregisterAsync(string id) => ChangeAsync(id, register: false);

    private async Task<IActionResult> ChangeAsync(string id, bool register)
    {
        var action = register ? AuditActions.RegistrationCreate : AuditActions.RegistrationDelete;
        if (Authorize(AppKeyRegistrationsApi.ManageRegistration) is { } forbidden)
        {
            await RecordAsync(action, "app_key", id, forbidden.StatusCode);
            return Refuse(forbidden);
        }

        var ct = HttpContext.RequestAborted;
        var key = RouteIds.TryParseUuid(id, out var keyId) ? await identity.FindAppKeyAsync(Caller.OrgId, keyId, ct) : null;
        if (key is null)
        {
            return NotFoundPage();
        }

        if (await AppKeyRegistrationsApi.MayManageAsync(Caller, key, identity, ct) is { } denied)
        {
            await RecordAsync(action, "app_key", id, denied.StatusCode);
            Error = string.Join(" ", denied.Errors.Select(e => e.Detail));
            Response.StatusCode = denied.StatusCode;
            return await ShowAsync();
        }

        // As the API's PUT and DELETE: the change and its event in one transaction.
        var audited = Audited(action, "app_key", key.Id.ToString("D"));
        if (register)
        {
            await writes.RunAsync(audited, tx => registrations.RegisterAsync(tx, Caller.OrgId, key.Id, Caller.PrincipalId, ct), _ => AuditOutcome.Http(StatusCodes.Status201Created), ct);
        }
        else if (!await writes.RunAsync(audited, tx => registrations.UnregisterAsync(tx, Caller.OrgId, key.Id, ct), done => done ? AuditOutcome.Http(StatusCodes.Status204NoContent) : null, ct))
        {
            Error = $"The application key {key.Name} was not registered.";
            return await ShowAsync();
        }

        authentication.Invalidate();
        Message = register ? $"Registered {key.Name}." : $"Unregistered {key.Name}.";
        return await ShowAsync();
    }

    private async Task<IActionResult> ShowAsync()
    {
        if (Authorize(Permission.OrgAppKeysRead) is { } forbidden)
        {
            return Refuse(forbidden);
        }

        var ct = HttpContext.RequestAborted;
        Keys = await identity.ListAppKeysAsync(Caller.OrgId, null, ct);
        var registered = new HashSet<Guid>();
        foreach (var key in Keys)
        {
            if (await registrations.IsRegisteredAsync(Caller.OrgId, key.Id, ct))
            {
                registered.Add(key.Id);
            }
        }

        Registered = registered;
        Owners = await ConsoleNames.PrincipalsAsync(identity, Caller.OrgId, ct);
        return Page();
    }
}
