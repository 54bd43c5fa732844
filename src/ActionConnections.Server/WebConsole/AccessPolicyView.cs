using ActionConnections.Access;

namespace ActionConnections.WebConsole;

/// <summary>One binding of a connection's restriction policy as people read it.</summary>
internal sealed record PolicyBinding(string Relation, string PrincipalKind, string Principal);

/// <summary>
/// A connection's restriction policy (ADR 0016) for the detail page: its bindings with principal
/// names, or the default that applies without one, and the signed-in caller's own relation.
/// Read from the same bindings the API's <c>GET /api/v2/restriction_policy/connection:{id}</c>
/// returns, which a viewer may read too.
/// </summary>
internal sealed record AccessPolicyView(IReadOnlyList<PolicyBinding> Bindings, string Author, string YourRelation)
{
    public bool HasPolicy => Bindings.Count > 0;

    public static AccessPolicyView Of(
        IReadOnlyList<Binding> bindings, IReadOnlyDictionary<Guid, string> principals, IReadOnlyDictionary<Guid, string> roles, Guid author, Relation yours)
    {
        var rows = bindings
            .OrderByDescending(b => b.Relation)
            .ThenBy(b => b.Principal.Type)
            .Select(b => new PolicyBinding(b.Relation.ToWire(), KindOf(b.Principal.Type), NameOf(b.Principal, principals, roles)))
            .ToList();
        return new AccessPolicyView(rows, ConsoleNames.Author(principals, author), yours == Relation.None ? "none" : yours.ToWire());
    }

    private static string KindOf(PrincipalType type) => type switch
    {
        PrincipalType.User => "User or service account",
        PrincipalType.Role => "Role",
        PrincipalType.Org => "Organisation",
        _ => type.ToString(),
    };

    private static string NameOf(PrincipalRef principal, IReadOnlyDictionary<Guid, string> principals, IReadOnlyDictionary<Guid, string> roles) => principal.Type switch
    {
        PrincipalType.User => principals.TryGetValue(principal.Id, out var name) ? name : principal.Id.ToString("D"),
        PrincipalType.Role => roles.TryGetValue(principal.Id, out var role) ? role : principal.Id.ToString("D"),
        PrincipalType.Org => "Everyone in this organisation",
        _ => principal.ToString(),
    };
}
