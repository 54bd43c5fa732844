using System.CommandLine;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Json;

namespace ActionConnections.Cli;

/// <summary><c>app-keys create</c>, <c>app-keys list</c> and <c>app-keys revoke</c>: an organisation's application keys.</summary>
internal static class AppKeyCommands
{
    public static Command Build(StoreCommand store)
    {
        var appKeys = new Command("app-keys", "Application keys of an organisation (DD-APPLICATION-KEY).");
        appKeys.Subcommands.Add(Create(store));
        appKeys.Subcommands.Add(List(store));
        appKeys.Subcommands.Add(Revoke(store));
        return appKeys;
    }

    private static Command Create(StoreCommand store)
    {
        var org = CliOptions.Org();
        var owner = CliOptions.Id("--owner", "User or service account that owns the key; the key acts with its permissions.");
        var name = CliOptions.Name("Key name.");
        var scopes = new Option<string?>("--scopes")
        {
            Description = "Comma-separated Datadog permission names the key is limited to (default: all of the owner's permissions).",
            HelpName = "a,b,c",
        };
        var json = CliOptions.Json();
        var create = new Command("create", "Create an application key (printed once).") { org, owner, name, scopes, json };
        store.SetAction(create, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            IReadOnlyList<string>? scopeList = null;
            if (parse.GetValue(scopes) is { } scopesText)
            {
                scopeList = [.. scopesText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
                if (scopeList.Count == 0)
                {
                    return context.Fail("--scopes names no scope; leave it out for a key with all of its owner's permissions.");
                }

                if (Permissions.UnknownScopes(scopeList) is { Count: > 0 } unknown)
                {
                    return context.Fail($"--scopes: unknown scope {string.Join(", ", unknown)}.");
                }
            }

            if (await context.FindOrganizationAsync(orgId, ct) is null
                || await context.FindPrincipalAsync(orgId, parse.GetValue(owner), ct) is not { } principal)
            {
                return ExitCodes.Usage;
            }

            if (principal.Disabled)
            {
                return context.Fail($"{principal.Id:D} is disabled; its keys could not authenticate.");
            }

            var created = await context.Writes.RunAsync(
                AuditedAction.Cli(orgId, AuditActions.AppKeyCreate, "app_key"),
                tx => context.Identity.CreateAppKeyAsync(tx, orgId, principal.Id, parse.GetRequiredValue(name), scopeList, ct),
                key => AuditOutcome.Cli(key.Record.Id),
                ct);
            if (parse.GetValue(json))
            {
                context.WriteJson(AppKeyCreatedOutput.From(created), AppJson.Context.AppKeyCreatedOutput);
                return ExitCodes.Success;
            }

            context.Out.WriteLine($"Created application key \"{created.Record.Name}\" owned by {principal.Id:D}.");
            context.Out.WriteLine($"  id:                  {created.Record.Id:D}");
            context.Out.WriteLine($"  scopes:              {ScopesText(created.Record.Scopes)}");
            context.Out.WriteLine($"  DD-APPLICATION-KEY:  {created.Key}");
            context.Out.WriteLine("This key is shown only this once; store it now.");
            return ExitCodes.Success;
        });
        return create;
    }

    private static Command List(StoreCommand store)
    {
        var org = CliOptions.Org();
        var json = CliOptions.Json();
        var list = new Command("list", "List an organisation's application keys (never the keys themselves).") { org, json };
        store.SetAction(list, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            var keys = await context.Identity.ListAppKeysAsync(orgId, null, ct);
            if (parse.GetValue(json))
            {
                context.WriteJson([.. keys.Select(AppKeyOutput.From)], AppJson.Context.ListAppKeyOutput);
                return ExitCodes.Success;
            }

            TextTable.Write(
                context.Out,
                ["ID", "NAME", "LAST4", "OWNER", "SCOPES", "CREATED"],
                keys.Select(k => (IReadOnlyList<string>)[
                    k.Id.ToString("D"), k.Name, k.Last4, k.OwnerId.ToString("D"), ScopesText(k.Scopes), TextTable.Time(k.CreatedAt)]));
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command Revoke(StoreCommand store)
    {
        var org = CliOptions.Org();
        var id = CliOptions.Id("--id", "Application key id.");
        var revoke = new Command("revoke", "Delete an application key (and its registration); it stops authenticating at once.") { org, id };
        store.SetAction(revoke, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            var keyId = parse.GetValue(id);
            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            var revoked = await context.Writes.RunAsync(
                AuditedAction.Cli(orgId, AuditActions.AppKeyRevoke, "app_key"),
                tx => context.Identity.DeleteAppKeyAsync(tx, orgId, keyId, ct),
                done => done ? AuditOutcome.Cli(keyId) : null,
                ct);
            if (!revoked)
            {
                return context.Fail($"no application key with id {keyId:D} in organisation {orgId:D}.");
            }

            context.Out.WriteLine($"Revoked application key {keyId:D}.");
            return ExitCodes.Success;
        });
        return revoke;
    }

    private static string ScopesText(IReadOnlyList<string>? scopes) => scopes is null ? "(all of the owner's permissions)" : string.Join(",", scopes);
}
