using System.CommandLine;
using System.Globalization;
using ActionConnections.Audit;
using ActionConnections.Json;

namespace ActionConnections.Cli;

/// <summary><c>audit list</c>: an organisation's audit trail, newest first.</summary>
internal static class AuditCommands
{
    public static Command Build(StoreCommand store)
    {
        var audit = new Command("audit", "The audit trail (read-only).");
        audit.Subcommands.Add(List(store));
        return audit;
    }

    private static Command List(StoreCommand store)
    {
        var org = CliOptions.Org();
        var action = new Option<string?>("--action") { Description = $"Only this action ({string.Join(", ", AuditActions.All.Order(StringComparer.Ordinal))})." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only events at or after this time (ISO 8601)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only events before this time (ISO 8601)." };
        var limit = new Option<int>("--limit") { Description = "How many events at most (1-10000).", DefaultValueFactory = _ => 100 };
        var json = CliOptions.Json();
        var list = new Command("list", "List an organisation's audit events, newest first.") { org, action, from, to, limit, json };
        store.SetAction(list, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            var actionName = parse.GetValue(action);
            var max = parse.GetValue(limit);
            if (actionName is not null && !AuditActions.All.Contains(actionName))
            {
                return context.Fail($"unknown action '{actionName}'.");
            }

            if (max is < 1 or > 10_000)
            {
                return context.Fail("--limit must be between 1 and 10000.");
            }

            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            var (events, _) = await context.AuditLog.ListAsync(orgId, new AuditQuery(parse.GetValue(from), parse.GetValue(to), actionName, max, 0), ct);
            if (parse.GetValue(json))
            {
                context.WriteJson([.. events.Select(AuditApi.ToWire)], AppJson.Context.ListAuditEventData);
                return ExitCodes.Success;
            }

            TextTable.Write(
                context.Out,
                ["TIME", "ACTION", "OUTCOME", "PRINCIPAL", "TARGET", "SOURCE", "CLIENT"],
                events.Select(e => (IReadOnlyList<string>)[
                    TextTable.Time(e.At), e.Action, e.Outcome + (e.Status is { } s ? " " + s.ToString(CultureInfo.InvariantCulture) : string.Empty),
                    e.PrincipalId?.ToString("D") ?? "-", e.TargetId is null ? "-" : $"{e.TargetType}:{e.TargetId}", e.Source, e.ClientAddress ?? "-"]));
            return ExitCodes.Success;
        });
        return list;
    }
}
