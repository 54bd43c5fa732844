using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Access;

/// <summary>
/// Datadog's <c>ListRoles</c> and <c>ListUsers</c>, read-only, so clients and Terraform
/// (<c>data "datadog_role"</c>) can find the ids that restriction policies name. Permission
/// <c>user_access_read</c>, as the spec's <c>x-permission</c>.
/// </summary>
internal static class DirectoryApi
{
    public const int DefaultPageSize = 10;
    public const int MaxPageSize = 100;
    public const int MaxFilterLength = 512;

    public static IEndpointRouteBuilder MapDirectory(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v2/roles", ListRolesAsync).RequirePermission(Permission.UserAccessRead);
        routes.MapGet("/api/v2/users", ListUsersAsync).RequirePermission(Permission.UserAccessRead);
        return routes;
    }

    public static async Task<Results<JsonApiResult<RolesResponse>, ApiProblemResult>> ListRolesAsync(HttpRequest http, Caller caller, IAccessStore store, CancellationToken ct)
    {
        var query = http.Query;
        if (!ReadListing(query).TryGetValue(out var listing, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var (page, filter) = listing;

        List<Guid>? ids = null;
        if (query.TryGetValue("filter[id]", out var idValues))
        {
            if (idValues.Count != 1)
            {
                return new ApiProblemResult(ApiProblem.InvalidQuery("filter[id]", "expected one comma-separated list of role ids"));
            }

            // An id that is no UUID names no role: it matches nothing, like an unknown one.
            ids = [.. idValues[0]!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => RouteIds.TryParseUuid(t, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().Take(MaxPageSize)];
        }

        if (!TryReadSort(query, ["name", "modified_at", "user_count"], "name", out var sort, out var descending, out invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var (result, totalFiltered) = await store.ListRolesAsync(caller.OrgId, new RoleQuery(filter, ids, sort, descending, page.Size, page.Number), ct);
        var data = result.Items.Select(r => new RoleData
        {
            Id = r.Id.ToString("D"),
            Type = "roles",
            Attributes = new RoleAttributes(Timestamp(r.CreatedAt), Managed: true, Timestamp(r.CreatedAt), r.Name, TeamCount: 0, r.UserCount),
        }).ToList();
        return new JsonApiResult<RolesResponse>(
            new RolesResponse(data, new PageMeta(new PageCounts(result.Total, totalFiltered))), AppJson.Context.RolesResponse, StatusCodes.Status200OK, "application/json");
    }

    public static async Task<Results<JsonApiResult<UsersResponse>, ApiProblemResult>> ListUsersAsync(HttpRequest http, Caller caller, IAccessStore store, CancellationToken ct)
    {
        var query = http.Query;
        if (!ReadListing(query).TryGetValue(out var listing, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        var (page, filter) = listing;

        List<bool>? disabled = null;
        if (query.TryGetValue("filter[status]", out var statusValues))
        {
            disabled = [];
            foreach (var status in statusValues.Count == 1 ? statusValues[0]!.Split(',', StringSplitOptions.TrimEntries) : [string.Empty])
            {
                switch (status.ToLowerInvariant())
                {
                    case "active":
                        disabled.Add(false);
                        break;
                    case "disabled":
                        disabled.Add(true);
                        break;
                    case "pending":
                        // Principals here are active from creation: nobody is pending an invitation.
                        break;
                    default:
                        return new ApiProblemResult(ApiProblem.InvalidQuery("filter[status]", "expected a comma-separated list of Active, Pending, Disabled"));
                }
            }
        }

        if (!TryReadSort(query, ["name", "email", "modified_at", "status"], "name", out var sort, out var descending, out invalid))
        {
            return new ApiProblemResult(invalid);
        }

        if (query.TryGetValue("sort_dir", out var direction))
        {
            switch (direction.Count == 1 ? direction[0] : null)
            {
                case "asc":
                    break;
                case "desc":
                    descending = !descending;
                    break;
                default:
                    return new ApiProblemResult(ApiProblem.InvalidQuery("sort_dir", "expected asc or desc"));
            }
        }

        var (result, totalFiltered) = await store.ListUsersAsync(caller.OrgId, new UserQuery(filter, disabled, sort, descending, page.Size, page.Number), ct);
        var data = result.Items.Select(u => ToData(u, caller.OrgId)).ToList();
        return new JsonApiResult<UsersResponse>(
            new UsersResponse(data, new PageMeta(new PageCounts(result.Total, totalFiltered))), AppJson.Context.UsersResponse, StatusCodes.Status200OK, "application/json");
    }

    private static UserData ToData(UserRow row, Guid orgId)
    {
        var p = row.Principal;
        return new UserData("users", p.Id.ToString("D"), new UserAttributes
        {
            Name = p.Name,
            Handle = p.Email ?? p.Name,
            CreatedAt = Timestamp(p.CreatedAt),
            ModifiedAt = Timestamp(p.CreatedAt),
            Email = p.Email,
            Verified = true,
            ServiceAccount = p.Kind == PrincipalKind.ServiceAccount,
            Disabled = p.Disabled,
            Status = p.Disabled ? "Disabled" : "Active",
        }, new UserRelationships(
            new RelationshipList([new RelationshipData("roles", row.RoleId.ToString("D"))]),
            new JsonApiData<RelationshipData>(new RelationshipData("orgs", orgId.ToString("D")))));
    }

    /// <summary>The real service's form, e.g. <c>2023-02-06T15:50:10.995740+00:00</c>.</summary>
    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>What both listings read first, in this order: the page, then the <c>filter</c> text.</summary>
    private static Validated<(PageQuery Page, string? Filter)> ReadListing(IQueryCollection query)
    {
        if (!PageQuery.Parse(query, DefaultPageSize, MaxPageSize).TryGetValue(out var page, out var invalid))
        {
            return invalid;
        }

        if (!query.TryGetValue("filter", out var values))
        {
            return Validated.Valid<(PageQuery, string?)>((page, null));
        }

        return values.Count != 1 || values[0]!.Length > MaxFilterLength || values[0]!.Contains('\0', StringComparison.Ordinal)
            ? ApiProblem.InvalidQuery("filter", $"expected one string of at most {MaxFilterLength} characters, without U+0000")
            : Validated.Valid<(PageQuery, string?)>((page, values[0]));
    }

    /// <summary><c>sort</c>: a field, or <c>-field</c> for descending.</summary>
    private static bool TryReadSort(IQueryCollection query, string[] fields, string fallback, out string sort, out bool descending, [NotNullWhen(false)] out ApiProblem? problem)
    {
        sort = fallback;
        descending = false;
        problem = null;
        if (!query.TryGetValue("sort", out var values))
        {
            return true;
        }

        var text = values.Count == 1 ? values[0]! : string.Empty;
        descending = text.StartsWith('-');
        sort = descending ? text[1..] : text;
        if (Array.IndexOf(fields, sort) < 0)
        {
            problem = ApiProblem.InvalidQuery("sort", $"expected one of {string.Join(", ", fields)}, optionally prefixed with -");
            return false;
        }

        return true;
    }
}
