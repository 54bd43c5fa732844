using System.CommandLine;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Json;

namespace ActionConnections.Cli;

/// <summary><c>users create</c>, <c>users list</c> and <c>users revoke</c>: users and service accounts of one organisation.</summary>
internal static class UserCommands
{
    public static Command Build(StoreCommand store)
    {
        var users = new Command("users", "Users and service accounts of an organisation.");
        users.Subcommands.Add(Create(store));
        users.Subcommands.Add(List(store));
        users.Subcommands.Add(Revoke(store));
        return users;
    }

    private static Command Create(StoreCommand store)
    {
        var org = CliOptions.Org();
        var name = CliOptions.Name("User or service account name.");
        var email = new Option<string?>("--email") { Description = "Email address." };
        var role = new Option<Role?>("--role")
        {
            Description = "Role (default: standard).",
            HelpName = "admin|standard|read_only",
            CustomParser = static result =>
            {
                var text = result.Tokens[0].Value;
                if (Roles.TryParse(text, out var parsed))
                {
                    return parsed;
                }

                result.AddError($"--role: '{text}' is not a role; use admin, standard or read_only.");
                return default;
            },
        };
        var serviceAccount = new Option<bool>("--service-account") { Description = "Create a service account instead of a user." };
        var json = CliOptions.Json();
        var create = new Command("create", "Create a user or service account.") { org, name, email, role, serviceAccount, json };
        store.SetAction(create, async (parse, context, ct) =>
        {
            var orgId = parse.GetValue(org);
            var emailText = parse.GetValue(email)?.Trim();
            if (emailText is not null && !emailText.Contains('@', StringComparison.Ordinal))
            {
                return context.Fail($"--email: '{emailText}' is not an email address.");
            }

            if (await context.FindOrganizationAsync(orgId, ct) is null)
            {
                return ExitCodes.Usage;
            }

            var kind = parse.GetValue(serviceAccount) ? PrincipalKind.ServiceAccount : PrincipalKind.User;
            var principal = await context.Writes.RunAsync(
                AuditedAction.Cli(orgId, AuditActions.PrincipalCreate, "principal"),
                tx => context.Identity.CreatePrincipalAsync(tx, orgId, kind, parse.GetRequiredValue(name), emailText, parse.GetValue(role) ?? Role.Standard, ct),
                created => AuditOutcome.Cli(created.Id),
                ct);
            if (parse.GetValue(json))
            {
                context.WriteJson(UserOutput.From(principal), AppJson.Context.UserOutput);
            }
            else
            {
                context.Out.WriteLine($"Created {(kind == PrincipalKind.ServiceAccount ? "service account" : "user")} \"{principal.Name}\" ({principal.Role.ToWire()}).");
                context.Out.WriteLine($"  id:  {principal.Id:D}");
            }

            return ExitCodes.Success;
        });
        return create;
    }

    private static Command List(StoreCommand store) => OrgScopedVerbs.List(
        store,
        "List the users and service accounts of an organisation.",
        (context, orgId, ct) => context.Identity.ListPrincipalsAsync(orgId, ct),
        (context, principals) => context.WriteJson([.. principals.Select(UserOutput.From)], AppJson.Context.ListUserOutput),
        ["ID", "KIND", "NAME", "EMAIL", "ROLE", "STATUS", "CREATED"],
        p => [p.Id.ToString("D"), UserOutput.KindText(p.Kind), p.Name, p.Email ?? "-", p.Role.ToWire(), p.Disabled ? "disabled" : "active", TextTable.Time(p.CreatedAt)]);

    private static Command Revoke(StoreCommand store) => OrgScopedVerbs.Revoke(
        store,
        "User or service account id.",
        "Disable a user or service account; its application keys stop authenticating.",
        AuditActions.PrincipalRevoke,
        "principal",
        (context, tx, orgId, principalId, ct) => context.Identity.DisablePrincipalAsync(tx, orgId, principalId, ct),
        "user or service account",
        principalId => $"Disabled {principalId:D}; its application keys no longer authenticate.");
}
