namespace ActionConnections.Auth;

/// <summary>Datadog's three managed roles and what each may do here (the README's permission table).</summary>
internal enum Role
{
    Admin,
    Standard,
    ReadOnly,
}

internal static class Roles
{
    public static Permission PermissionsOf(Role role) => role switch
    {
        Role.Admin => Permission.All,
        Role.Standard => Permission.ConnectionsRead | Permission.ConnectionWrite | Permission.ConnectionsResolve
            | Permission.UserAppKeys | Permission.OrgAppKeysRead | Permission.ApiKeysRead | Permission.UserAccessRead,
        Role.ReadOnly => Permission.ConnectionsRead | Permission.UserAppKeys | Permission.UserAccessRead,
        _ => Permission.None,
    };

    /// <summary>The name of Datadog's managed role (what <c>GET /api/v2/roles</c> shows and Terraform's <c>datadog_role</c> filters on).</summary>
    public static string DisplayName(this Role role) => role switch
    {
        Role.Admin => "Datadog Admin Role",
        Role.Standard => "Datadog Standard Role",
        Role.ReadOnly => "Datadog Read Only Role",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static string ToWire(this Role role) => role switch
    {
        Role.Admin => "admin",
        Role.Standard => "standard",
        Role.ReadOnly => "read_only",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? text, out Role role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "admin":
                role = Role.Admin;
                return true;
            case "standard":
                role = Role.Standard;
                return true;
            case "read_only" or "readonly" or "read-only":
                role = Role.ReadOnly;
                return true;
            default:
                role = default;
                return false;
        }
    }
}
