using System.CommandLine;
using ActionConnections.Audit;
using ActionConnections.Json;

namespace ActionConnections.Cli;

/// <summary><c>orgs create</c> and <c>orgs list</c>.</summary>
internal static class OrgCommands
{
    /// <summary>Name of the admin user created with every organisation (as for the bootstrap one).</summary>
    private const string AdminName = "admin";

    public static Command Build(StoreCommand store)
    {
        var orgs = new Command("orgs", "Organisations.");
        orgs.Subcommands.Add(Create(store));
        orgs.Subcommands.Add(List(store));
        return orgs;
    }

    private static Command Create(StoreCommand store)
    {
        var name = CliOptions.Name("Organisation name.");
        var json = CliOptions.Json();
        var create = new Command("create", "Create an organisation with an admin user and one API and one application key (printed once).") { name, json };
        store.SetAction(create, async (parse, context, ct) =>
        {
            var created = await context.Writes.RunAsync(
                tx => context.Identity.CreateOrganizationAsync(tx, parse.GetRequiredValue(name), AdminName, null, null, ct),
                org => [
                    (AuditedAction.Cli(org.Org.Id, AuditActions.OrgCreate, "org"), AuditOutcome.Cli(org.Org.Id)),
                    (AuditedAction.Cli(org.Org.Id, AuditActions.ApiKeyCreate, "api_key"), AuditOutcome.Cli(org.ApiKey.Record.Id)),
                    (AuditedAction.Cli(org.Org.Id, AuditActions.AppKeyCreate, "app_key"), AuditOutcome.Cli(org.AppKey.Record.Id)),
                ],
                ct);
            if (parse.GetValue(json))
            {
                context.WriteJson(
                    new OrgCreatedOutput
                    {
                        OrgId = created.Org.Id,
                        ApiKey = created.ApiKey.Key,
                        AppKey = created.AppKey.Key,
                        AppKeyId = created.AppKey.Record.Id,
                        AdminId = created.Admin.Id,
                        ApiKeyId = created.ApiKey.Record.Id,
                    },
                    AppJson.Context.OrgCreatedOutput);
                return ExitCodes.Success;
            }

            var output = context.Out;
            output.WriteLine($"Created organisation \"{created.Org.Name}\".");
            output.WriteLine($"  organisation id:     {created.Org.Id:D}");
            output.WriteLine($"  admin user id:       {created.Admin.Id:D}");
            output.WriteLine($"  API key id:          {created.ApiKey.Record.Id:D}");
            output.WriteLine($"  application key id:  {created.AppKey.Record.Id:D}");
            output.WriteLine($"  DD-API-KEY:          {created.ApiKey.Key}");
            output.WriteLine($"  DD-APPLICATION-KEY:  {created.AppKey.Key}");
            output.WriteLine("These keys are shown only this once; store them now.");
            return ExitCodes.Success;
        });
        return create;
    }

    private static Command List(StoreCommand store)
    {
        var json = CliOptions.Json();
        var list = new Command("list", "List organisations.") { json };
        store.SetAction(list, async (parse, context, ct) =>
        {
            var orgs = await context.Identity.ListOrganizationsAsync(ct);
            if (parse.GetValue(json))
            {
                context.WriteJson([.. orgs.Select(OrgOutput.From)], AppJson.Context.ListOrgOutput);
                return ExitCodes.Success;
            }

            TextTable.Write(context.Out, ["ID", "NAME", "CREATED"], orgs.Select(o => (IReadOnlyList<string>)[o.Id.ToString("D"), o.Name, TextTable.Time(o.CreatedAt)]));
            return ExitCodes.Success;
        });
        return list;
    }
}
