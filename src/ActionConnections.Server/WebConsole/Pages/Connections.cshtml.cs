using ActionConnections.Access;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Connections.Integrations;
using ActionConnections.Identity;
using ActionConnections.WebConsole.Forms;
using Microsoft.AspNetCore.Mvc;

namespace ActionConnections.WebConsole.Pages;

/// <summary>The organisation's connections: search by name, filter by integration, paged, counted (the list extension's rules).</summary>
internal sealed class ConnectionsModel(IConnectionStore store, IIdentityStore identity, ConnectionAccess access) : ConsolePageModel
{
    public const int PageSize = 20;

    public string? Query { get; private set; }

    public string? Integration { get; private set; }

    public static IReadOnlyList<string> Integrations { get; } = [.. CatalogForms.All.Select(i => i.Type)];

    public IReadOnlyList<PublicConnection> Items { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> Authors { get; private set; } = new Dictionary<Guid, string>();

    public long Total { get; private set; }

    public long TotalFiltered { get; private set; }

    /// <summary>From 1, as people count pages.</summary>
    public long PageNumber { get; private set; } = 1;

    public bool Deleted { get; private set; }

    public long PageCount => Math.Max(1, (TotalFiltered + PageSize - 1) / PageSize);

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "q")] string? query, [FromQuery(Name = "integration")] string? integration, [FromQuery(Name = "page")] long? page, [FromQuery(Name = "deleted")] string? deleted)
    {
        Deleted = deleted == "1";
        if (AuthorizeConnections(Permission.ConnectionsRead) is { } denied)
        {
            return Refuse(denied);
        }

        Query = string.IsNullOrWhiteSpace(query) ? null : query.Trim();
        if (Query is { Length: > ConnectionRequests.MaxNameLength } || (Query?.Contains('\0', StringComparison.Ordinal) ?? false))
        {
            Query = null;
        }

        Integration = integration is { Length: > 0 } && IntegrationCatalog.IsKnown(integration) ? integration : null;
        PageNumber = page is > 0 and < 1_000_000 ? page.Value : 1;
        var ct = HttpContext.RequestAborted;

        // The list extension's visibility rule, in SQL before paging: connections whose
        // restriction policy hides them from the caller are neither listed nor counted.
        var viewer = new ConnectionViewer(Caller.PrincipalId, await access.RoleIdOfAsync(Caller, ct));
        var (result, totalFiltered) = await store.ListAsync(Caller.OrgId, new ConnectionFilter(Query, Integration, viewer), PageSize, PageNumber - 1, ct);
        Items = result.Items;
        Total = result.Total;
        TotalFiltered = totalFiltered;
        Authors = await ConsoleNames.PrincipalsAsync(identity, Caller.OrgId, ct);
        return Page();
    }

    public string PageLink(long page)
    {
        var parts = new List<string>();
        if (Query is not null)
        {
            parts.Add($"q={Uri.EscapeDataString(Query)}");
        }

        if (Integration is not null)
        {
            parts.Add($"integration={Uri.EscapeDataString(Integration)}");
        }

        parts.Add($"page={page}");
        return $"{ConsoleRoutes.Connections}?{string.Join('&', parts)}";
    }
}
