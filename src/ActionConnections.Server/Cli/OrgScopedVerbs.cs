using System.CommandLine;
using System.Data.Common;
using ActionConnections.Audit;

namespace ActionConnections.Cli;

/// <summary>
/// The <c>list</c> and <c>revoke</c> verbs of what an organisation holds (API keys, application
/// keys, users): each names the organisation with <c>--org</c>, and a revocation is one audited
/// write that answers "no such …" when nothing was revoked.
/// </summary>
internal static class OrgScopedVerbs
{
    /// <summary><c>list --org [--json]</c>: every item, as JSON or as a table.</summary>
    public static Command List<T>(
        StoreCommand store,
        string description,
        Func<StoreContext, Guid, CancellationToken, Task<IReadOnlyList<T>>> load,
        Action<StoreContext, IReadOnlyList<T>> writeJson,
        IReadOnlyList<string> headers,
        Func<T, IReadOnlyList<string>> row)
    {
        var org = CliOptions.Org();
        var json = CliOptions.Json();
        var list = new Command("list", description) { org, json };
        store.SetAction(list, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            var items = await load(context, orgId, ct);
            if (parse.GetValue(json))
            {
                writeJson(context, items);
                return ExitCodes.Success;
            }

            TextTable.Write(context.Out, headers, items.Select(row));
            return ExitCodes.Success;
        });
        return list;
    }

    /// <summary>
    /// <c>revoke --org --id</c>: <paramref name="revoke"/> in one write with its audit event
    /// (<paramref name="auditAction"/> on a <paramref name="targetType"/>), written only when it
    /// revoked something.
    /// </summary>
    public static Command Revoke(
        StoreCommand store,
        string idDescription,
        string description,
        string auditAction,
        string targetType,
        Func<StoreContext, DbTransaction, Guid, Guid, CancellationToken, Task<bool>> revoke,
        string noun,
        Func<Guid, string> revoked)
    {
        var org = CliOptions.Org();
        var id = CliOptions.Id("--id", idDescription);
        var command = new Command("revoke", description) { org, id };
        store.SetAction(command, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            var targetId = parse.GetValue(id);
            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            var revokedAny = await context.Writes.RunAsync(
                AuditedAction.Cli(orgId, auditAction, targetType),
                tx => revoke(context, tx, orgId, targetId, ct),
                done => done ? AuditOutcome.Cli(targetId) : null,
                ct);
            if (!revokedAny)
            {
                return context.Fail($"no {noun} with id {targetId:D} in organisation {orgId:D}.");
            }

            context.Out.WriteLine(revoked(targetId));
            return ExitCodes.Success;
        });
        return command;
    }
}
