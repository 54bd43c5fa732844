using System.CommandLine;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Json;

namespace ActionConnections.Cli;

/// <summary><c>api-keys create</c>, <c>api-keys list</c> and <c>api-keys revoke</c>: an organisation's API keys.</summary>
internal static class ApiKeyCommands
{
    /// <summary>What a new API key gets, as the bootstrap organisation's key does.</summary>
    private const string Category = "default";
    private const bool RemoteConfigReadEnabled = true;

    public static Command Build(StoreCommand store)
    {
        var apiKeys = new Command("api-keys", "API keys of an organisation (DD-API-KEY).");
        apiKeys.Subcommands.Add(Create(store));
        apiKeys.Subcommands.Add(List(store));
        apiKeys.Subcommands.Add(Revoke(store));
        return apiKeys;
    }

    private static Command Create(StoreCommand store)
    {
        var org = CliOptions.Org();
        var name = CliOptions.Name("Key name.");
        var createdBy = CliOptions.Id("--created-by", "Principal recorded as the key's creator (default: the organisation's first active admin).");
        createdBy.Required = false;
        var json = CliOptions.Json();
        var create = new Command("create", "Create an API key (printed once).") { org, name, createdBy, json };
        store.SetAction(create, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            Guid creatorId;
            if (parse.GetResult(createdBy) is null)
            {
                var principals = await context.Identity.ListPrincipalsAsync(orgId, ct);
                if (principals.FirstOrDefault(p => p.Role == Role.Admin && !p.Disabled) is not { } admin)
                {
                    return context.Fail($"organisation {orgId:D} has no active admin; name the creator with --created-by.");
                }

                creatorId = admin.Id;
            }
            else if (await context.FindPrincipalAsync(orgId, parse.GetValue(createdBy), ct) is { } creator)
            {
                creatorId = creator.Id;
            }
            else
            {
                return ExitCodes.Usage;
            }

            var created = await context.Writes.RunAsync(
                AuditedAction.Cli(orgId, AuditActions.ApiKeyCreate, "api_key"),
                tx => context.Identity.CreateApiKeyAsync(tx, orgId, creatorId, parse.GetRequiredValue(name), Category, RemoteConfigReadEnabled, ct),
                key => AuditOutcome.Cli(key.Record.Id),
                ct);
            if (parse.GetValue(json))
            {
                context.WriteJson(ApiKeyOutput.Created(created), AppJson.Context.ApiKeyOutput);
                return ExitCodes.Success;
            }

            context.Out.WriteLine($"Created API key \"{created.Record.Name}\".");
            context.Out.WriteLine($"  id:          {created.Record.Id:D}");
            context.Out.WriteLine($"  DD-API-KEY:  {created.Key}");
            context.Out.WriteLine("This key is shown only this once; store it now.");
            return ExitCodes.Success;
        });
        return create;
    }

    private static Command List(StoreCommand store) => OrgScopedVerbs.List(
        store,
        "List an organisation's API keys (never the keys themselves).",
        (context, orgId, ct) => context.Identity.ListApiKeysAsync(orgId, ct),
        (context, keys) => context.WriteJson([.. keys.Select(ApiKeyOutput.From)], AppJson.Context.ListApiKeyOutput),
        ["ID", "NAME", "LAST4", "CREATED BY", "CREATED"],
        k => [k.Id.ToString("D"), k.Name, k.Last4, k.CreatedBy.ToString("D"), TextTable.Time(k.CreatedAt)]);

    private static Command Revoke(StoreCommand store) => OrgScopedVerbs.Revoke(
        store,
        "API key id.",
        "Delete an API key; it stops authenticating at once.",
        AuditActions.ApiKeyRevoke,
        "api_key",
        (context, tx, orgId, keyId, ct) => context.Identity.DeleteApiKeyAsync(tx, orgId, keyId, ct),
        "API key",
        keyId => $"Revoked API key {keyId:D}.");
}
