using System.Globalization;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Audit;

/// <summary>
/// Reading the audit trail of the caller's organisation (an extension; Datadog's own Audit
/// Trail API is a different product, so this lives under its own path). Append-only: there is
/// no way to change or remove an event through the service.
/// </summary>
internal static class AuditApi
{
    public const string Path = "/api/v2/actionconnections/audit_events";
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAuditLog, SqlAuditLog>();
        builder.Services.AddSingleton<AuditRecorder>();
        builder.Services.AddSingleton<AuditedWrites>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, ListAsync).RequirePermission(Permission.AuditLogsRead);
        return routes;
    }

    public static async Task<Results<JsonApiResult<AuditEventsResponse>, ApiProblemResult>> ListAsync(
        HttpRequest http, Caller caller, IAuditLog log, CancellationToken ct)
    {
        var query = http.Query;
        if (!PageQuery.Parse(query, DefaultPageSize, MaxPageSize).TryGetValue(out var page, out var invalid))
        {
            return new ApiProblemResult(invalid);
        }

        if (!ParseTime(query, "filter[from]").TryGetValue(out var from, out invalid) || !ParseTime(query, "filter[to]").TryGetValue(out var to, out invalid))
        {
            return new ApiProblemResult(invalid);
        }

        string? action = null;
        if (query.TryGetValue("filter[action]", out var actions))
        {
            if (actions.Count != 1 || !AuditActions.All.Contains(actions[0]!))
            {
                return new ApiProblemResult(ApiProblem.InvalidQuery("filter[action]", $"expected one of {string.Join(", ", AuditActions.All.Order(StringComparer.Ordinal))}"));
            }

            action = actions[0];
        }

        var (events, total) = await log.ListAsync(caller.OrgId, new AuditQuery(from, to, action, page.Size, page.Number), ct);
        var body = new AuditEventsResponse([.. events.Select(ToWire)], new AuditEventsMeta(total));
        return JsonApiResult.Ok(body, AppJson.Context.AuditEventsResponse);
    }

    private static Validated<DateTimeOffset?> ParseTime(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return Validated.Valid<DateTimeOffset?>(null);
        }

        return text.Count == 1 && DateTimeOffset.TryParse(text[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? Validated.Valid<DateTimeOffset?>(parsed)
            : ApiProblem.InvalidQuery(name, "expected an ISO 8601 date-time such as 2026-11-26T05:00:00Z");
    }

    internal static AuditEventData ToWire(AuditEvent e) => new()
    {
        Id = e.Id.ToString("D"),
        Type = "audit_event",
        Attributes = new AuditEventAttributes
        {
            Timestamp = e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            Action = e.Action,
            Outcome = e.Outcome,
            Status = e.Status,
            PrincipalId = e.PrincipalId?.ToString("D"),
            ApiKeyId = e.ApiKeyId?.ToString("D"),
            AppKeyId = e.AppKeyId?.ToString("D"),
            TargetType = e.TargetType,
            TargetId = e.TargetId,
            RequestId = e.RequestId,
            ClientAddress = e.ClientAddress,
            Count = e.Occurrences,
            Source = e.Source,
            Detail = e.Detail,
        },
    };
}
