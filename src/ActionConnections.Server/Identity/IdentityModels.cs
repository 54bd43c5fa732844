using ActionConnections.Auth;

namespace ActionConnections.Identity;

internal enum PrincipalKind
{
    User,
    ServiceAccount,
}

internal sealed record Organization(Guid Id, string Name, DateTimeOffset CreatedAt);

internal sealed record Principal(Guid Id, Guid OrgId, PrincipalKind Kind, string Name, string? Email, Role Role, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>An API key as stored: never the key itself, only its hash and last four characters.</summary>
internal sealed record ApiKeyRecord(
    Guid Id,
    Guid OrgId,
    string Name,
    string Last4,
    string Category,
    bool RemoteConfigReadEnabled,
    Guid CreatedBy,
    Guid? ModifiedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt);

/// <summary>An application key as stored. <c>Scopes</c> null means "all of the owner's permissions".</summary>
internal sealed record AppKeyRecord(
    Guid Id,
    Guid OrgId,
    Guid OwnerId,
    string Name,
    string Last4,
    IReadOnlyList<string>? Scopes,
    DateTimeOffset CreatedAt);

/// <summary>A key created just now: the record plus the key, which is shown this once.</summary>
internal sealed record NewKey<T>(T Record, string Key)
{
    public override string ToString() => $"NewKey {{ Record = {Record}, Key = [redacted] }}";
}

/// <summary>A new organisation with its first admin and that admin's keys.</summary>
internal sealed record NewOrganization(Organization Org, Principal Admin, NewKey<ApiKeyRecord> ApiKey, NewKey<AppKeyRecord> AppKey);

/// <summary>
/// What one authenticated request acts as. Handlers take it as a parameter: the API gateway
/// authenticates the request and hands it on, as ASP.NET Core's authentication hands on
/// <see cref="HttpContext.User"/>.
/// </summary>
internal sealed record Caller(
    Guid OrgId,
    Guid ApiKeyId,
    Guid AppKeyId,
    Guid PrincipalId,
    PrincipalKind PrincipalKind,
    Permission Permissions,
    bool AppKeyRegistered)
{
    public bool Has(Permission permission) => (Permissions & permission) == permission;

    public bool HasAny(Permission permissions) => (Permissions & permissions) != 0;

    /// <summary>Minimal API parameter binding; only endpoints behind the gateway take a caller.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<Caller?>(context.Features.Get<Caller>() ?? throw new InvalidOperationException("No authenticated caller on this request."));
}
