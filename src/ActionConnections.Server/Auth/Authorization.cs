using ActionConnections.Errors;
using ActionConnections.Identity;

namespace ActionConnections.Auth;

/// <summary>Permission checks of the spec's <c>x-permission</c> (operator OR), as values, not exceptions.</summary>
internal static class Authorization
{
    /// <summary>Null when the caller holds at least one of <paramref name="anyOf"/>; else the 403 to return.</summary>
    public static ApiProblem? RequireAny(this Caller caller, Permission anyOf)
    {
        if (caller.HasAny(anyOf))
        {
            return null;
        }

        var names = Permissions.ByName.Where(p => anyOf.HasFlag(p.Value) && p.Key != "connections_write").Select(p => p.Key);
        return ApiProblem.Forbidden($"Forbidden: this operation requires one of the permissions {string.Join(", ", names)}");
    }

    /// <summary>Connections may only be used through a registered application key (docs/reference/BEHAVIOR.md §1).</summary>
    public static ApiProblem? RequireRegisteredKey(this Caller caller) =>
        caller.AppKeyRegistered
            ? null
            : ApiProblem.Forbidden(
                $"This API requires a registered application key. Register it with PUT /api/v2/actions/app_key_registrations/{caller.AppKeyId:D} and retry.");
}
