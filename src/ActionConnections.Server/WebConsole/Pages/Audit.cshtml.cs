using System.Globalization;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>The organisation's audit trail, newest first: filter by action and time (UTC), paged.</summary>
internal sealed class AuditModel(IAuditLog log, IIdentityStore identity) : ConsolePageModel
{
    public const int PageSize = 50;

    public static IReadOnlyList<string> Actions { get; } = [.. AuditActions.All.Order(StringComparer.Ordinal)];

    public string? Action { get; private set; }

    public string From { get; private set; } = string.Empty;

    public string To { get; private set; } = string.Empty;

    public string? FilterError { get; private set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Names { get; private set; } = new Dictionary<Guid, string>();

    public long Total { get; private set; }

    public long PageNumber { get; private set; } = 1;

    public long PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public async Task<IActionResult> OnGetAsync(
        [FromQuery(Name = "action")] string? action, [FromQuery(Name = "from")] string? from, [FromQuery(Name = "to")] string? to, [FromQuery(Name = "page")] long? page)
    {
        if (Authorize(Permission.AuditLogsRead) is { } denied)
        {
            return Refuse(denied);
        }

        Action = action is { Length: > 0 } && AuditActions.All.Contains(action) ? action : null;
        From = from ?? string.Empty;
        To = to ?? string.Empty;
        var fromTime = ParseTime(From, "From");
        var toTime = ParseTime(To, "To");
        PageNumber = page is > 0 and < 1_000_000 ? page.Value : 1;
        var ct = HttpContext.RequestAborted;
        if (FilterError is null)
        {
            (Events, Total) = await log.ListAsync(Caller.OrgId, new AuditQuery(fromTime, toTime, Action, PageSize, PageNumber - 1), ct);
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        Names = await ConsoleNames.PrincipalsAsync(identity, Caller.OrgId, ct);
        return Page();
    }

    public string PageLink(long page)
    {
        var parts = new List<string>();
        if (Action is not null)
        {
            parts.Add($"action={Uri.EscapeDataString(Action)}");
        }

        if (From.Length > 0)
        {
            parts.Add($"from={Uri.EscapeDataString(From)}");
        }

        if (To.Length > 0)
        {
            parts.Add($"to={Uri.EscapeDataString(To)}");
        }

        parts.Add($"page={page}");
        return $"{ConsoleRoutes.Audit}?{string.Join('&', parts)}";
    }

    /// <summary>The browser's <c>datetime-local</c> value, read as UTC.</summary>
    private DateTimeOffset? ParseTime(string text, string label)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        FilterError = $"{label}: expected a date and time such as 2026-11-26T05:00.";
        return null;
    }
}
