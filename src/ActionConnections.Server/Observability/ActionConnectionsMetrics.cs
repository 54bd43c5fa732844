using System.Diagnostics.Metrics;

namespace ActionConnections.Observability;

/// <summary>
/// The service's own instruments, under <c>actionconnections.*</c>. Every label value comes from a
/// closed set this code knows (an operation, an outcome, an integration type of the catalogue, an
/// audit action, a rate-limit group): never an organisation id, a name, a key id or anything else a
/// caller chose, so a scrape reveals volumes, not tenants, and the number of series stays bounded.
/// Without a listener (metrics off) each call costs a check and nothing more.
/// </summary>
internal sealed class ActionConnectionsMetrics
{
    public const string MeterName = "ActionConnections";

    /// <summary>Outcomes of a request, from its status code (<see cref="OutcomeOf"/>), and of a connection use or a credential mint.</summary>
    private static readonly HashSet<string> Outcomes = new(StringComparer.Ordinal)
    {
        "success", "invalid", "forbidden", "not_found", "conflict", "too_large", "rate_limited", "unavailable", "error",
        "upstream_error", "timeout", "blocked", "refused", "other",
    };

    private readonly Counter<long> _connectionOperations;
    private readonly Counter<long> _connectionUses;
    private readonly Counter<long> _credentialMints;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _rateLimitRejections;
    private readonly Counter<long> _auditEvents;
    private readonly Counter<long> _secretsReencrypted;

    public ActionConnectionsMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _connectionOperations = Meter.CreateCounter<long>("actionconnections.connection.operations", "{operation}",
            "Action Connection API operations (create, get, update, delete, list) by outcome.");
        _connectionUses = Meter.CreateCounter<long>("actionconnections.connection.uses", "{use}",
            "Requests sent on a caller's behalf with a stored connection, by integration type and outcome.");
        _credentialMints = Meter.CreateCounter<long>("actionconnections.credential.mints", "{mint}",
            "Short-lived cloud credentials minted from a stored connection, by integration type and outcome.");
        _authenticationFailures = Meter.CreateCounter<long>("actionconnections.authentication.failures", "{failure}",
            "API requests refused because their keys were missing, unknown or not of one organisation.");
        _rateLimitRejections = Meter.CreateCounter<long>("actionconnections.rate_limit.rejections", "{rejection}",
            "Requests answered 429, by rate-limit group (authentication: failed authentications of one client address).");
        _auditEvents = Meter.CreateCounter<long>("actionconnections.audit.events", "{event}",
            "Audit events written, by action and outcome.");
        _secretsReencrypted = Meter.CreateCounter<long>("actionconnections.secrets.reencrypted", "{connection}",
            "Connections whose secrets were re-encrypted under the active master key (reason: rotation or update).");
    }

    /// <summary>The meter, for the observable gauge of stored connections.</summary>
    public Meter Meter { get; }

    public void RecordConnectionOperation(string operation, string outcome) =>
        _connectionOperations.Add(1, new("operation", operation), new("outcome", Outcome(outcome)));

    /// <summary>
    /// One request sent with a stored connection (the use endpoints). <paramref name="integration"/>
    /// is the type of a connection read through the catalogue, never text from a request, so the
    /// label set stays the catalogue's.
    /// </summary>
    public void RecordConnectionUse(string integration, string outcome) =>
        _connectionUses.Add(1, new("integration", integration), new("outcome", Outcome(outcome)));

    /// <summary>One credential minted from a stored connection (the cloud credential endpoints).</summary>
    public void RecordCredentialMint(string integration, string outcome) =>
        _credentialMints.Add(1, new("integration", integration), new("outcome", Outcome(outcome)));

    public void RecordAuthenticationFailure() => _authenticationFailures.Add(1);

    public void RecordRateLimitRejection(string group) => _rateLimitRejections.Add(1, new KeyValuePair<string, object?>("group", group));

    public void RecordAuditEvent(string action, string outcome) =>
        _auditEvents.Add(1, new("action", action), new("outcome", outcome == "success" ? "success" : "failure"));

    /// <summary><paramref name="reason"/>: <c>rotation</c> (<c>secrets rotate</c>) or <c>update</c> (a PATCH re-seals what it keeps).</summary>
    public void RecordSecretsReencrypted(string reason) =>
        _secretsReencrypted.Add(1, new KeyValuePair<string, object?>("reason", reason == "rotation" ? "rotation" : "update"));

    /// <summary>The outcome label of a request answered with <paramref name="status"/>.</summary>
    public static string OutcomeOf(int status) => status switch
    {
        >= 200 and < 300 => "success",
        400 => "invalid",
        401 or 403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "too_large",

        // A provider refused to mint (wrong external id, invalid client): the request was fine, the connection is not.
        422 => "refused",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "error",
        _ => "other",
    };

    private static string Outcome(string outcome) => Outcomes.Contains(outcome) ? outcome : "other";
}
