namespace ActionConnections.Audit;

/// <summary>
/// One audited action: who (principal and key ids, never a key), which organisation, what, on
/// which target, with what outcome, when, and from where. Never a secret value: nothing here is
/// taken from a request body.
/// </summary>
internal sealed record AuditEvent
{
    public required Guid Id { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>Null for an authentication failure whose keys name no organisation.</summary>
    public Guid? OrgId { get; init; }

    /// <summary>E.g. <c>connection.create</c>; see <see cref="AuditActions"/>.</summary>
    public required string Action { get; init; }

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>HTTP status answered, when the action came over HTTP.</summary>
    public int? Status { get; init; }

    public Guid? PrincipalId { get; init; }

    public Guid? ApiKeyId { get; init; }

    public Guid? AppKeyId { get; init; }

    public string? TargetType { get; init; }

    public string? TargetId { get; init; }

    public string? RequestId { get; init; }

    public string? ClientAddress { get; init; }

    /// <summary>
    /// What was done, for actions whose target alone does not say it (a connection's use: method,
    /// destination host, path without query, upstream status or error, duration; a credential
    /// mint: provider, duration, result). Never a header, query value, body or credential.
    /// </summary>
    public string? Detail { get; init; }

    /// <summary>Where the action came from: <c>api</c>, <c>console</c> or <c>cli</c>.</summary>
    public required string Source { get; init; }

    /// <summary>
    /// How many occurrences this one event stands for; set on authentication failures only,
    /// which are aggregated per key and client address and period (<c>AuthenticationFailures</c>).
    /// </summary>
    public long? Occurrences { get; init; }
}

/// <summary>The audited actions.</summary>
internal static class AuditActions
{
    public const string ConnectionCreate = "connection.create";
    public const string ConnectionUpdate = "connection.update";
    public const string ConnectionDelete = "connection.delete";
    public const string ConnectionCredentials = "connection.credentials";
    public const string ConnectionHttpRequest = "connection.http_request";
    public const string RegistrationCreate = "app_key_registration.create";
    public const string RegistrationDelete = "app_key_registration.delete";
    public const string ApiKeyCreate = "api_key.create";
    public const string ApiKeyUpdate = "api_key.update";
    public const string ApiKeyRevoke = "api_key.revoke";
    public const string AppKeyCreate = "app_key.create";
    public const string AppKeyUpdate = "app_key.update";
    public const string AppKeyRevoke = "app_key.revoke";
    public const string OrgCreate = "org.create";
    public const string PrincipalCreate = "principal.create";
    public const string PrincipalRevoke = "principal.revoke";
    public const string AuthenticationFailure = "authentication.failure";
    public const string MasterKeyAdd = "master_key.add";
    public const string MasterKeyRotate = "master_key.rotate";
    public const string MasterKeyRetire = "master_key.retire";
    public const string RestrictionPolicyUpdate = "restriction_policy.update";
    public const string RestrictionPolicyDelete = "restriction_policy.delete";
    public const string ConnectionResolve = "connection.resolve";
    public const string ConsoleSignIn = "console.sign_in";
    public const string ConsoleSignOut = "console.sign_out";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ConnectionCreate, ConnectionUpdate, ConnectionDelete, ConnectionCredentials, ConnectionHttpRequest, RegistrationCreate, RegistrationDelete,
        ApiKeyCreate, ApiKeyUpdate, ApiKeyRevoke, AppKeyCreate, AppKeyUpdate, AppKeyRevoke,
        OrgCreate, PrincipalCreate, PrincipalRevoke, AuthenticationFailure, MasterKeyAdd, MasterKeyRotate, MasterKeyRetire,
        RestrictionPolicyUpdate, RestrictionPolicyDelete, ConnectionResolve,
        ConsoleSignIn, ConsoleSignOut,
    };
}

internal sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Action, int PageSize, long PageNumber, string? TargetId = null);
