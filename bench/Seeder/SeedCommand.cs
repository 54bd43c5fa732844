using System.Globalization;
using System.Text.Json;
using ActionConnections.AppKeyRegistrations;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Connections;
using ActionConnections.Hosting;
using ActionConnections.Http;
using ActionConnections.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ActionConnections.Bench.Seeder;

/// <summary>
/// Fills an empty data directory: the server's bootstrap organisation (with the bootstrap keys of
/// the environment, application key registered) plus <c>orgs - 1</c> more, then
/// <c>perOrg</c> connections in each, created round-robin across organisations so that one
/// organisation's rows are spread through the table as they would be after years of use. Every
/// row goes through the server's validation, <see cref="ConnectionService"/> (generated values,
/// sealed secrets) and SQL store.
/// </summary>
internal static class SeedCommand
{
    /// <summary>A spread of integrations: six AWS, three HTTP, one OpenAI in ten.</summary>
    private static readonly string[] Templates =
    [
        """{"name":"aws prod","tags":["env:prod","team:platform"],"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"123456789012","role":"automation-prod"}}}""",
        """{"name":"http status page","integration":{"type":"HTTP","base_url":"https://status.example.com/api","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"token1","type":"SECRET","value":"bench-token-value-0123456789"}],"headers":[{"name":"Authorization","value":"Bearer {{ token1 }}"}]}}}""",
        """{"name":"aws staging","integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"210987654321","role":"automation-staging"}}}""",
        """{"name":"openai","tags":["team:ml"],"integration":{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-bench-0123456789abcdef0123456789abcdef"}}}""",
        """{"name":"aws sandbox","integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"111122223333","role":"automation-sandbox"}}}""",
        """{"name":"http ticketing","tags":["team:support"],"integration":{"type":"HTTP","base_url":"https://tickets.example.com","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"api_key","type":"SECRET","value":"bench-api-key-abcdef"}],"url_parameters":[{"name":"key","value":"{{ api_key }}"}]}}}""",
        """{"name":"aws audit","tags":["env:prod"],"integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"444455556666","role":"audit-reader"}}}""",
        """{"name":"aws data","integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"777788889999","role":"data-pipeline"}}}""",
        """{"name":"http webhook","integration":{"type":"HTTP","base_url":"https://hooks.example.com/v1","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"secret","type":"SECRET","value":"bench-webhook-secret"}],"body":{"content":"{\"token\":\"{{ secret }}\"}","content_type":"application/json"}}}}""",
        """{"name":"aws billing","integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"999900001111","role":"billing-reader"}}}""",
    ];

    public static async Task<int> RunAsync(int orgs, int perOrg, string idsOut, CancellationToken cancellationToken)
    {
        await using var app = ServerServices.Build(bulkLoad: true);
        var services = app.Services;
        var created = await services.GetRequiredService<StoreInitializer>().InitializeAsync(cancellationToken);
        if (created is null)
        {
            await Console.Error.WriteLineAsync("seed: the data directory already holds a store; seed into an empty one.");
            return 2;
        }

        var identity = services.GetRequiredService<IIdentityStore>();
        var connections = services.GetRequiredService<ConnectionService>();
        await services.GetRequiredService<IRegistrationStore>().RegisterAsync(created.Org.Id, created.AppKey.Record.Id, created.Admin.Id, cancellationToken);

        var callers = new List<Caller>(orgs) { CallerOf(created) };
        var orgBar = new ProgressBar("organisations", orgs);
        for (var i = 1; i < orgs; i++)
        {
            var org = await identity.CreateOrganizationAsync(string.Create(CultureInfo.InvariantCulture, $"bench org {i:D4}"), "admin", null, null, cancellationToken);
            callers.Add(CallerOf(org));
            orgBar.Report(i + 1);
        }

        orgBar.Finish(orgs);

        var requests = Templates.Select(Parse).ToArray();
        var total = (long)orgs * perOrg;
        var benchIds = new List<Guid>(perOrg);
        var bar = new ProgressBar("connections", total);
        long done = 0;
        for (var i = 0; i < perOrg; i++)
        {
            for (var o = 0; o < callers.Count; o++)
            {
                var template = requests[done % requests.Length];
                var request = template with { Name = string.Create(CultureInfo.InvariantCulture, $"{template.Name} {i:D6}") };
                // Each seeded row is a change like any other: committed with its audit event, recorded as the CLI's.
                var audit = AuditedAction.Cli(callers[o].OrgId, AuditActions.ConnectionCreate, "connection");
                var record = await connections.CreateAsync(callers[o], request, audit, cancellationToken);
                if (o == 0)
                {
                    benchIds.Add(record.Id);
                }

                bar.Report(++done);
            }
        }

        bar.Finish(done);
        // Registered for SQLite only; PostgreSQL's rows were committed durably one by one.
        if (services.GetService<BulkLoadDatabase>() is { } bulkLoad)
        {
            await bulkLoad.MakeDurableAsync(cancellationToken);
        }

        await File.WriteAllLinesAsync(idsOut, benchIds.Select(id => id.ToString("D")), cancellationToken);

        var seconds = bar.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"orgs":{{orgs}},"connections":{{done}},"connection_seconds":{{seconds:F1}},"connections_per_s":{{done / Math.Max(seconds, 1e-9):F0}},"org_id":"{{created.Org.Id:D}}","app_key_id":"{{created.AppKey.Record.Id:D}}"}"""));
        return 0;
    }

    private static Caller CallerOf(NewOrganization org) => new(
        org.Org.Id,
        org.ApiKey.Record.Id,
        org.AppKey.Record.Id,
        org.Admin.Id,
        org.Admin.Kind,
        Roles.PermissionsOf(org.Admin.Role),
        AppKeyRegistered: true);

    /// <summary>Each template through the server's request reader, as if it had come over HTTP.</summary>
    private static CreateConnection Parse(string attributes)
    {
        using var document = JsonDocument.Parse("""{"data":{"type":"action_connection","attributes":""" + attributes + "}}");
        var errors = new ValidationErrors();
        return ConnectionRequests.ReadCreate(document.RootElement, errors)
            ?? throw new InvalidOperationException($"Seed template rejected: {string.Join("; ", errors.Errors.Select(e => e.Detail))}");
    }
}
