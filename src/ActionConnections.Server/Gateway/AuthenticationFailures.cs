using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Observability;
using Microsoft.Extensions.Options;

namespace ActionConnections.Gateway;

/// <summary>
/// Records failed authentications without letting people who hold no key fill an
/// organisation's audit trail, the disk or the log (issue 11, item 7). Failures are tallied per
/// API key (the organisation and id of a valid API key sent with a wrong application key; none
/// otherwise), client address (IPv6 by /64) and rate-limit period: the first failure of a tally
/// is written at once as one audit event and one log line; the rest of the period only counts,
/// and when the period ends the count is written as one more event (<c>count</c>) and one more
/// line. An organisation has at most <see cref="MaxAddressesPerOrganization"/> tallies a period;
/// failures from further addresses share one tally without an address. So a period adds at most
/// 2 × (<see cref="MaxAddressesPerOrganization"/> + 1) events per organisation (and as many for
/// keys that name none), however many failures arrive, and a repeated failure costs no write.
/// </summary>
internal sealed partial class AuthenticationFailures(
    IIdentityStore identity,
    IAuditLog audit,
    ActionConnectionsMetrics metrics,
    TimeProvider time,
    IOptions<GatewayOptions> options,
    ILogger<AuthenticationFailures> logger) : BackgroundService
{
    public const int MaxAddressesPerOrganization = 100;

    private readonly int _periodSeconds = options.Value.RateLimitPeriodSeconds;
    private readonly Lock _lock = new();
    private readonly Dictionary<TallyKey, Tally> _tallies = [];
    private readonly Dictionary<(Guid? OrgId, long Window), int> _addresses = [];

    /// <summary>
    /// Counts one failed authentication of this request; writes an event only for the first of its
    /// tally. <paramref name="source"/> is the audit source of the tally's events (the console's
    /// sign-in page passes <c>console</c>); the tally itself is shared, so the bound holds.
    /// </summary>
    public async Task RecordAsync(HttpContext context, string apiKey, string source = "api")
    {
        var owner = apiKey.Length is > 0 and <= 256 ? await identity.FindApiKeyOwnerAsync(apiKey, context.RequestAborted) : null;
        var now = time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / _periodSeconds;
        var address = context.Connection.RemoteIpAddress?.ToString();
        var key = new TallyKey(owner?.OrgId, owner?.ApiKeyId, ClientAddress.LimitKeyOf(context.Connection.RemoteIpAddress), window);
        bool first;
        lock (_lock)
        {
            if (!_tallies.ContainsKey(key))
            {
                var tallied = _addresses.GetValueOrDefault((key.OrgId, window));
                if (tallied >= MaxAddressesPerOrganization)
                {
                    key = new TallyKey(key.OrgId, null, null, window);
                    address = null;
                }
                else
                {
                    _addresses[(key.OrgId, window)] = tallied + 1;
                }
            }

            first = !_tallies.TryGetValue(key, out var tally);
            if (first)
            {
                tally = new Tally(address, source);
                _tallies[key] = tally;
            }

            tally!.Count++;
            tally.LastAt = now;
        }

        if (first)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var method = LogText.Quote(context.Request.Method);
                var path = LogText.Quote(context.Request.Path.Value);
                LogRejected(logger, method, path, address ?? "(one of many addresses)", _periodSeconds);
            }

            await AppendAsync(new AuditEvent
            {
                Id = Guid.NewGuid(),
                At = now,
                OrgId = key.OrgId,
                Action = AuditActions.AuthenticationFailure,
                Outcome = "failure",
                Status = StatusCodes.Status403Forbidden,
                ApiKeyId = key.ApiKeyId,
                RequestId = context.TraceIdentifier,
                ClientAddress = address,
                Source = source,
                Occurrences = 1,
            });
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(all: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // What was counted in the current period is written before the process goes.
        await FlushAsync(all: true);
    }

    /// <summary>Writes the further failures of every tally whose period ended (or of all, at shutdown), one event each.</summary>
    private async Task FlushAsync(bool all)
    {
        var current = time.GetUtcNow().ToUnixTimeSeconds() / _periodSeconds;
        List<(TallyKey Key, Tally Tally)> ended = [];
        lock (_lock)
        {
            foreach (var (key, tally) in _tallies)
            {
                if (all || key.Window < current)
                {
                    ended.Add((key, tally));
                }
            }

            foreach (var (key, _) in ended)
            {
                _tallies.Remove(key);
            }

            foreach (var old in _addresses.Keys.Where(k => all || k.Window < current).ToList())
            {
                _addresses.Remove(old);
            }
        }

        foreach (var (key, tally) in ended.Where(e => e.Tally.Count > 1))
        {
            var further = tally.Count - 1;
            if (logger.IsEnabled(LogLevel.Information))
            {
                var org = key.OrgId?.ToString("D") ?? "none";
                LogFurtherFailures(logger, further, tally.Address ?? "(further addresses)", org);
            }

            await AppendAsync(new AuditEvent
            {
                Id = Guid.NewGuid(),
                At = tally.LastAt,
                OrgId = key.OrgId,
                Action = AuditActions.AuthenticationFailure,
                Outcome = "failure",
                Status = StatusCodes.Status403Forbidden,
                ApiKeyId = key.ApiKeyId,
                ClientAddress = tally.Address,
                Source = tally.Source,
                Occurrences = further,
            });
        }
    }

    private async Task AppendAsync(AuditEvent auditEvent)
    {
        try
        {
            // Not cancelled with the request: a client that hangs up must not erase its trail.
            await audit.AppendAsync(auditEvent, CancellationToken.None);
            metrics.RecordAuditEvent(auditEvent.Action, auditEvent.Outcome);
        }
        catch (Exception e)
        {
            LogAuditWriteFailed(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected unauthenticated {Method} {Path} from {Client}; further failures of this key from this address in this {PeriodSeconds} s period are counted into one event")]
    private static partial void LogRejected(ILogger logger, string method, string path, string client, int periodSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} further authentication failures from {Client} (organisation {OrgId}) in the period that ended")]
    private static partial void LogFurtherFailures(ILogger logger, long count, string client, string orgId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write an authentication failure's audit event: {ExceptionType}")]
    private static partial void LogAuditWriteFailed(ILogger logger, string exceptionType);

    /// <summary>A tally: organisation and API key (when the API key was valid), client address (/64 for IPv6; null: further addresses), period.</summary>
    private readonly record struct TallyKey(Guid? OrgId, Guid? ApiKeyId, string? Client, long Window);

    private sealed class Tally(string? address, string source)
    {
        public string? Address { get; } = address;

        public string Source { get; } = source;

        public long Count { get; set; }

        public DateTimeOffset LastAt { get; set; }
    }
}
