namespace ActionConnections.Access;

/// <summary>
/// What a principal may do with one connection. Each relation includes the ones before it
/// (viewer ⊂ resolver ⊂ editor), so they compare as numbers; <see cref="None"/> means the
/// connection is invisible to the principal.
/// </summary>
internal enum Relation
{
    None = 0,
    Viewer = 1,
    Resolver = 2,
    Editor = 3,
}

internal static class Relations
{
    public static string ToWire(this Relation relation) => relation switch
    {
        Relation.Viewer => "viewer",
        Relation.Resolver => "resolver",
        Relation.Editor => "editor",
        _ => throw new ArgumentOutOfRangeException(nameof(relation)),
    };

    /// <summary>The relations a connection's policy may bind, by their wire names (Datadog's spec: viewer, resolver, editor).</summary>
    public static bool TryParse(string? text, out Relation relation)
    {
        relation = text switch
        {
            "viewer" => Relation.Viewer,
            "resolver" => Relation.Resolver,
            "editor" => Relation.Editor,
            _ => Relation.None,
        };
        return relation != Relation.None;
    }

    public static Relation Max(Relation a, Relation b) => a >= b ? a : b;
}

/// <summary>The kinds of principal a binding may name (<c>team</c> is Datadog's too, but not supported here).</summary>
internal enum PrincipalType
{
    User,
    Role,
    Org,
}

/// <summary>One principal of a binding, e.g. <c>user:…</c>.</summary>
internal readonly record struct PrincipalRef(PrincipalType Type, Guid Id)
{
    public string TypeText => Type switch
    {
        PrincipalType.User => "user",
        PrincipalType.Role => "role",
        PrincipalType.Org => "org",
        _ => throw new InvalidOperationException(),
    };

    public override string ToString() => $"{TypeText}:{Id:D}";

    public static PrincipalType ParseType(string text) => text switch
    {
        "user" => PrincipalType.User,
        "role" => PrincipalType.Role,
        "org" => PrincipalType.Org,
        _ => throw new InvalidDataException($"Unknown principal type '{text}' in the store."),
    };
}

/// <summary>A stored binding of one principal to one relation on a connection.</summary>
internal sealed record Binding(Relation Relation, PrincipalRef Principal);

/// <summary>
/// A connection's access facts: its author and its bindings (empty: no policy, so the default
/// applies). Everything <see cref="ConnectionAccess"/> needs to decide one principal's relation.
/// </summary>
internal sealed record AccessFacts(Guid CreatedBy, IReadOnlyList<Binding> Bindings)
{
    /// <summary>
    /// The default without a policy (Datadog's): the author edits, the rest of the organisation
    /// views. With a policy: exactly its bindings, the author only if bound.
    /// </summary>
    public Relation RelationOf(Guid orgId, Guid principalId, Guid? roleId)
    {
        if (Bindings.Count == 0)
        {
            return principalId == CreatedBy ? Relation.Editor : Relation.Viewer;
        }

        var best = Relation.None;
        foreach (var binding in Bindings)
        {
            var p = binding.Principal;
            var matches = p.Type switch
            {
                PrincipalType.User => p.Id == principalId,
                PrincipalType.Role => roleId is { } role && p.Id == role,
                PrincipalType.Org => p.Id == orgId,
                _ => false,
            };
            if (matches)
            {
                best = Relations.Max(best, binding.Relation);
            }
        }

        return best;
    }
}
