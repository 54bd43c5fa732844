using System.Globalization;
using System.Text.RegularExpressions;
using ActionConnections.Settings;
using ActionConnections.Tests.Cloud;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Observability;

/// <summary>
/// <c>/metrics</c> of a real server process after a scripted workload: the expected series with
/// the expected counts, the framework's instruments beside ours, and no label value (nor any
/// other text of the scrape) equal to an organisation id, a connection's name or id, or a key id.
/// </summary>
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Metrics_AfterScriptedWorkload_HaveExpectedCountsAndNoTenantLabels()
    {
        await using var store = TestStore.Create();
        var keys = ServerKeys.New();
        var settings = ServerProcess.EnvironmentOf(store);
        settings["ACTIONCONNECTIONS_METRICS"] = "prometheus";
        settings["ACTIONCONNECTIONS_METRICS_STORED_REFRESH_SECONDS"] = "1";
        settings["ACTIONCONNECTIONS_AUTH_FAILURE_LIMIT"] = "2";
        await using var server = await ServerProcess.StartAsync(store.DataDir, keys, settings);
        var orgId = TracingTests.Announced(server.Output, "organisation id:");
        var appKeyId = TracingTests.Announced(server.Output, "application key id:");
        var client = server.Client;
        Assert.Equal(201, (await client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{appKeyId}")).Status);

        // The workload: 3 creates (2 OpenAI, 1 AWS), 2 gets and 1 of a missing id, 1 update,
        // 1 delete (an OpenAI one), 1 list, an invalid create; then 3 requests with unknown keys:
        // 2 authentication failures, then the third refused by the failure limit (429).
        var names = new[] { "canary-alpha-" + Guid.NewGuid().ToString("N"), "canary-beta-" + Guid.NewGuid().ToString("N"), "canary-gamma-" + Guid.NewGuid().ToString("N") };
        var openAi = """{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-metrics"}}""";
        var first = await client.CreateAsync(openAi, names[0]);
        var second = await client.CreateAsync(openAi, names[1]);
        var third = await client.CreateAsync(ConnectionBodies.AwsIntegration, names[2]);
        Assert.Equal(200, (await client.GetJsonAsync($"/api/v2/actions/connections/{first}")).Status);
        Assert.Equal(200, (await client.GetJsonAsync($"/api/v2/actions/connections/{third}")).Status);
        Assert.Equal(404, (await client.GetJsonAsync($"/api/v2/actions/connections/{Guid.NewGuid()}")).Status);
        Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Patch, $"/api/v2/actions/connections/{third}", ConnectionBodies.Update($$"""{"name":"{{names[2]}}-renamed"}"""))).Status);
        Assert.Equal(204, (await client.SendJsonAsync(HttpMethod.Delete, $"/api/v2/actions/connections/{second}")).Status);
        Assert.Equal(200, (await client.GetJsonAsync("/api/v2/actions/connections")).Status);
        Assert.Equal(400, (await client.SendJsonAsync(HttpMethod.Post, "/api/v2/actions/connections", """{"data":{}}""")).Status);
        // One use of a connection, refused by its executor (a URL of another host) before any packet.
        Assert.Equal(400, (await client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{first}/http_requests",
            """{"data":{"type":"http_request","attributes":{"method":"GET","url":"https://elsewhere.invalid/v1/models"}}}""")).Status);
        using (var stranger = new HttpClient { BaseAddress = server.BaseAddress })
        {
            stranger.DefaultRequestHeaders.Add("DD-API-KEY", new string('a', 32));
            stranger.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", new string('b', 40));
            Assert.Equal(403, (await stranger.GetJsonAsync("/api/v2/actions/connections")).Status);
            Assert.Equal(403, (await stranger.GetJsonAsync("/api/v2/actions/connections")).Status);
            Assert.Equal(429, (await stranger.GetJsonAsync("/api/v2/actions/connections")).Status);
        }

        // The stored-connections gauge is recounted every second: wait for a count taken after the
        // workload. OpenAI alone is 1 also just after the first create (before the AWS one), so
        // the wait is for the final state of both: OpenAI 1 and AWS 1 hold together only then.
        var scrape = string.Empty;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var response = await client.GetJsonAsync("/metrics");
            Assert.Equal(200, response.Status);
            scrape = response.Body;
            if (Series(scrape, "actionconnections_connections_stored", "integration=\"OpenAI\"") is ["1"]
                && Series(scrape, "actionconnections_connections_stored", "integration=\"AWS\"") is ["1"])
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(1, Value(scrape, "actionconnections_connections_stored", "integration=\"OpenAI\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connections_stored", "integration=\"AWS\""));
        Assert.Equal(0, Value(scrape, "actionconnections_connections_stored", "integration=\"HTTP\""));

        Assert.Equal(3, Value(scrape, "actionconnections_connection_operations_total", "operation=\"create\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_operations_total", "operation=\"create\"", "outcome=\"invalid\""));
        Assert.Equal(2, Value(scrape, "actionconnections_connection_operations_total", "operation=\"get\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_operations_total", "operation=\"get\"", "outcome=\"not_found\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_operations_total", "operation=\"update\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_operations_total", "operation=\"delete\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_operations_total", "operation=\"list\"", "outcome=\"success\""));
        Assert.Equal(2, Value(scrape, "actionconnections_connection_operations_total", "operation=\"list\"", "outcome=\"forbidden\""));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_operations_total", "operation=\"list\"", "outcome=\"rate_limited\""));
        Assert.Equal(2, Value(scrape, "actionconnections_authentication_failures_total"));
        Assert.Equal(1, Value(scrape, "actionconnections_connection_uses_total", "integration=\"OpenAI\"", "outcome=\"invalid\""));
        Assert.Equal(1, Value(scrape, "actionconnections_rate_limit_rejections_total", "group=\"authentication\""));
        Assert.Equal(3, Value(scrape, "actionconnections_audit_events_total", "action=\"connection.create\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_audit_events_total", "action=\"connection.update\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_audit_events_total", "action=\"connection.delete\"", "outcome=\"success\""));
        Assert.Equal(1, Value(scrape, "actionconnections_audit_events_total", "action=\"app_key_registration.create\"", "outcome=\"success\""));
        // Two failures of one key from one address: one event now, the rest counted into one at the period's end (ADR 0012).
        Assert.Equal(1, Value(scrape, "actionconnections_audit_events_total", "action=\"authentication.failure\"", "outcome=\"failure\""));

        // SQLite's group commit: how many writes each durable commit carried. At least the six
        // kept writes above (registration, 3 creates, update, delete), never more commits than writes.
        if (TestStore.IsPostgres)
        {
            Assert.Empty(Series(scrape, "actionconnections_sqlite_commit_writes_count"));
        }
        else
        {
            var writes = Value(scrape, "actionconnections_sqlite_commit_writes_sum");
            Assert.True(writes >= 6, $"{writes} writes committed");
            Assert.InRange(Value(scrape, "actionconnections_sqlite_commit_writes_count"), 1, writes);
            Assert.Equal(Value(scrape, "actionconnections_sqlite_commit_writes_count"), Value(scrape, "actionconnections_sqlite_commit_writes_bucket", "le=\"+Inf\""));
        }

        // ASP.NET Core (by route template), Kestrel and the runtime report too.
        Assert.Equal(2, Value(scrape, "http_server_request_duration_seconds_count", "http_route=\"/api/v2/actions/connections/{connection_id}\"", "http_request_method=\"GET\"", "http_response_status_code=\"200\""));
        Assert.Contains("kestrel_", scrape, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", scrape, StringComparison.Ordinal);
        if (TestStore.IsPostgres)
        {
            Assert.Contains("db_client_", scrape, StringComparison.Ordinal);
        }

        // Canaries: nothing a tenant chose or owns is a label value, or anywhere in the scrape.
        List<string> canaries = [orgId, appKeyId, first, second, third, keys.ApiKey, keys.AppKey, "sk-metrics", .. names];
        var labelValues = LabelValue().Matches(scrape).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(labelValues);
        foreach (var canary in canaries)
        {
            Assert.DoesNotContain(canary, labelValues);
            Assert.DoesNotContain(canary, scrape, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Metrics_CredentialMints_CountedByIntegrationAndOutcome_ThroughBothEndpoints()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var sts = await FakeSts.StartAsync();
        await using var server = await CloudServer.StartAsync(new Dictionary<string, string>
        {
            ["ACTIONCONNECTIONS_AWS_STS_ENDPOINT"] = sts.Endpoint.BaseAddress.ToString(),
            ["ACTIONCONNECTIONS_METRICS"] = "prometheus",
        });
        var trusted = await server.Client.CreateAsync(CloudCredentialsTests.AwsBody("Trusted"));
        var refused = await server.Client.CreateAsync(CloudCredentialsTests.AwsBody("Refusing"));
        var externalId = (await server.Client.GetJsonAsync($"/api/v2/actions/connections/{trusted}")).Json
            .GetProperty("data").GetProperty("attributes").GetProperty("integration").GetProperty("credentials").GetProperty("external_id").GetString()!;
        sts.TrustedExternalIds["arn:aws:iam::123456789012:role/Trusted"] = externalId;

        // One mint, one refusal through …/credentials; one more refusal through a use (http_requests).
        Assert.Equal(201, (await server.Client.SendJsonAsync(HttpMethod.Post, CloudCredentialsTests.PathOf(trusted))).Status);
        Assert.Equal(422, (await server.Client.SendJsonAsync(HttpMethod.Post, CloudCredentialsTests.PathOf(refused))).Status);
        Assert.Equal(422, (await server.Client.SendThroughAsync(refused, HttpRequestBodies.Request("GET", "https://ec2.us-east-1.amazonaws.com/"))).Status);

        var scrape = await server.Client.GetJsonAsync("/metrics");

        Assert.Equal(200, scrape.Status);
        Assert.Equal(1, Value(scrape.Body, "actionconnections_credential_mints_total", "integration=\"AWS\"", "outcome=\"success\""));
        Assert.Equal(2, Value(scrape.Body, "actionconnections_credential_mints_total", "integration=\"AWS\"", "outcome=\"refused\""));
        Assert.Equal(1, Value(scrape.Body, "actionconnections_connection_uses_total", "integration=\"AWS\"", "outcome=\"refused\""));
        Assert.Equal(3, sts.AssumeRoleCalls);
        foreach (var canary in sts.IssuedSecrets.Append(trusted).Append(refused))
        {
            Assert.DoesNotContain(canary, scrape.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_OffByDefault_NoScrapeEndpoint()
    {
        await using var app = await TestApp.StartAsync();
        using var anonymous = app.CreateClient(null, null);

        var response = await anonymous.GetJsonAsync("/metrics");

        Assert.Equal(404, response.Status);
    }

    [Fact]
    public async Task Metrics_WithMetricsPort_NotServedOnOtherListeners()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:Metrics"] = "prometheus",
            ["ActionConnections:MetricsPort"] = "1",
        });
        using var anonymous = app.CreateClient(null, null);

        var response = await anonymous.GetJsonAsync("/metrics");

        Assert.Equal(404, response.Status);
    }

    [Theory]
    [InlineData("Metrics", "statsd", "ACTIONCONNECTIONS_METRICS 'statsd' is not supported")]
    [InlineData("MetricsPort", "70000", "ACTIONCONNECTIONS_METRICS_PORT must be a TCP port")]
    [InlineData("LogFormat", "xml", "ACTIONCONNECTIONS_LOG_FORMAT 'xml' is not supported")]
    [InlineData("ShutdownDrainSeconds", "0", "ACTIONCONNECTIONS_SHUTDOWN_DRAIN_SECONDS must be between 1 and 3600")]
    public async Task Settings_Invalid_RefusedAtStart(string setting, string value, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidSettingsException>(() => TestApp.StartAsync(new Dictionary<string, string?> { [$"ActionConnections:{setting}"] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The value of the one series of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Value(string scrape, string metric, params string[] labels)
    {
        var values = Series(scrape, metric, labels);
        Assert.True(values.Count == 1, $"{values.Count} series of {metric} with {string.Join(", ", labels)}:\n{string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal)))}");
        return double.Parse(values[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The values, as written, of every series of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static List<string> Series(string scrape, string metric, params string[] labels) =>
        scrape.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            // "name{labels} value [timestamp]" or "name value [timestamp]".
            .Select(line => (line.Contains('}', StringComparison.Ordinal) ? line[(line.LastIndexOf('}') + 1)..] : line[metric.Length..]).Trim().Split(' ')[0])
            .ToList();

    [GeneratedRegex("=\"([^\"]*)\"")]
    private static partial Regex LabelValue();
}
