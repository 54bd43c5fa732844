using System.Data.Common;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Storage;

namespace ActionConnections.Access;

/// <summary>Roles, restriction policies of connections and the directory listings, always within one organisation.</summary>
internal interface IAccessStore
{
    /// <summary>
    /// The connection's author and bindings, and the role id of <paramref name="principalId"/>,
    /// in one query; null when the organisation has no such connection.
    /// </summary>
    Task<(AccessFacts Facts, Guid? RoleId)?> FindFactsAsync(Guid orgId, Guid connectionId, Guid principalId, CancellationToken cancellationToken);

    /// <summary>The id of the managed role <paramref name="principalId"/> has, or null for no such principal.</summary>
    Task<Guid?> RoleIdOfAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken);

    /// <summary>The bindings of each of these connections (absent or empty: no policy).</summary>
    Task<IReadOnlyDictionary<Guid, List<Binding>>> BindingsOfAsync(Guid orgId, IReadOnlyCollection<Guid> connectionIds, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the connection's bindings (none: back to the default) in <paramref name="tx"/>
    /// (see <see cref="AuditedWrites"/>). False when the organisation has no such connection.
    /// </summary>
    Task<bool> ReplaceBindingsAsync(DbTransaction tx, Guid orgId, Guid connectionId, IReadOnlyList<Binding> bindings, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="ids"/> are principals (users or service accounts) of the organisation.</summary>
    Task<IReadOnlySet<Guid>> ExistingPrincipalsAsync(Guid orgId, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="ids"/> are roles of the organisation.</summary>
    Task<IReadOnlySet<Guid>> ExistingRolesAsync(Guid orgId, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    Task<(Page<RoleRow> Page, long TotalFiltered)> ListRolesAsync(Guid orgId, RoleQuery query, CancellationToken cancellationToken);

    Task<(Page<UserRow> Page, long TotalFiltered)> ListUsersAsync(Guid orgId, UserQuery query, CancellationToken cancellationToken);
}

/// <summary>One of the organisation's managed roles, with its stable id.</summary>
internal sealed record RoleRow(Guid Id, Role Role, string Name, DateTimeOffset CreatedAt, long UserCount);

/// <summary>A principal with the id of its role.</summary>
internal sealed record UserRow(Principal Principal, Guid RoleId);

/// <summary><c>GET /api/v2/roles</c>: <paramref name="NameContains"/> is <c>filter</c>, <paramref name="Ids"/> is <c>filter[id]</c>.</summary>
internal sealed record RoleQuery(string? NameContains, IReadOnlyList<Guid>? Ids, string SortColumn, bool Descending, int PageSize, long PageNumber);

/// <summary><c>GET /api/v2/users</c>: <paramref name="Contains"/> is <c>filter</c> (name or email), <paramref name="Disabled"/> from <c>filter[status]</c>.</summary>
internal sealed record UserQuery(string? Contains, IReadOnlyList<bool>? Disabled, string SortColumn, bool Descending, int PageSize, long PageNumber);
