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
                context.WriteJson(AppKeyOutput.Created(created), AppJson.Context.AppKeyOutput);
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

    private static Command List(StoreCommand store) => OrgScopedVerbs.List(
        store,
        "List an organisation's application keys (never the keys themselves).",
        (context, orgId, ct) => context.Identity.ListAppKeysAsync(orgId, null, ct),
        (context, keys) => context.WriteJson([.. keys.Select(AppKeyOutput.From)], AppJson.Context.ListAppKeyOutput),
        ["ID", "NAME", "LAST4", "OWNER", "SCOPES", "CREATED"],
        k => [k.Id.ToString("D"), k.Name, k.Last4, k.OwnerId.ToString("D"), ScopesText(k.Scopes), TextTable.Time(k.CreatedAt)]);

    private static Command Revoke(StoreCommand store) => OrgScopedVerbs.Revoke(
        store,
        "Application key id.",
        "Delete an application key (and its registration); it stops authenticating at once.",
        AuditActions.AppKeyRevoke,
        "app_key",
        (context, tx, orgId, keyId, ct) => context.Identity.DeleteAppKeyAsync(tx, orgId, keyId, ct),
        "application key",
        keyId => $"Revoked application key {keyId:D}.");

    private static string ScopesText(IReadOnlyList<string>? scopes) => scopes is null ? "(all of the owner's permissions)" : string.Join(",", scopes);
}
