using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.Observability;

/// <summary>
/// Traces over OTLP to an in-test receiver on loopback, from a real server process: a span per
/// request named by its route template, its database spans as children, no secret or key in any
/// attribute; and JSON log lines carrying the request's trace and span ids.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Request_WithOtlpEndpoint_ExportsRouteSpanAndDatabaseSpansWithoutSecrets_AndJsonLogsCarryTraceIds()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var store = TestStore.Create();
        var keys = ServerKeys.New();
        await using var server = await StartTracedAsync(store, keys, receiver, ("ACTIONCONNECTIONS_LOG_FORMAT", "json"));

        var secret = "sk-canary-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/actions/connections")
        {
            Content = new StringContent(ConnectionBodies.Create($$$"""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"{{{secret}}}"}}""", "Traced connection"), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(201, (int)response.StatusCode);
        var connectionId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("id").GetString()!;

        var spans = await receiver.WaitForSpansAsync(
            all => all.Any(s => s.TraceId == traceId && IsCreateSpan(s))
                && all.Any(s => s.TraceId == traceId && IsDatabaseSpan(s)),
            TimeSpan.FromSeconds(20));
        var ours = spans.Where(s => s.TraceId == traceId).ToList();
        // The group's route template ("/api/v2/actions/connections" + "") keeps its trailing slash.
        var root = Assert.Single(ours, IsCreateSpan);
        Assert.Equal(2, root.Kind); // SERVER
        Assert.Equal("/api/v2/actions/connections", root.Attributes["http.route"].TrimEnd('/'));
        Assert.Equal("/api/v2/actions/connections", root.Attributes["url.path"]);
        Assert.Equal("201", root.Attributes["http.response.status_code"]);
        var database = ours.Where(IsDatabaseSpan).ToList();
        Assert.Contains(database, s => s.Attributes.Values.Any(v => v.Contains("INSERT", StringComparison.OrdinalIgnoreCase)));
        var ids = ours.Select(s => s.SpanId).ToHashSet();
        Assert.All(database, s => Assert.Contains(s.ParentSpanId, ids.Append(root.SpanId)));
        Assert.Contains(database, s => s.ParentSpanId == root.SpanId);

        // No secret, key or ciphertext anywhere in what was exported, decoded or not.
        var exported = string.Concat(receiver.Bodies.Select(b => Encoding.UTF8.GetString(b.Body)));
        Assert.Empty(receiver.DecodeErrors);
        foreach (var forbidden in new[] { secret, keys.ApiKey, keys.AppKey, "v1.k", "Password=" })
        {
            Assert.DoesNotContain(forbidden, exported, StringComparison.Ordinal);
            Assert.DoesNotContain(spans, s => s.Attributes.Values.Any(v => v.Contains(forbidden, StringComparison.Ordinal)));
        }

        // The JSON log line of the create carries the trace id the request came with, and a span id.
        var logLine = await WaitForLogAsync(server, line => line.Contains($"Created connection {connectionId}", StringComparison.Ordinal));
        using var log = JsonDocument.Parse(logLine);
        var scopes = log.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var t) && t.GetString() == traceId);
        Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var id) && id.GetString()!.Length == 16);
        Assert.DoesNotContain(secret, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpRequest_WithOtlpEndpoint_ExportsOutboundClientSpanUnderTheServerSpan_WithoutSecretsOrHeaderValues()
    {
        LoopbackOnlyNetwork.EnsureIsolated();
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.StatusCode = 202;
            await context.Response.WriteAsync("accepted");
        });
        await using var store = TestStore.Create();
        var keys = ServerKeys.New();
        await using var server = await StartTracedAsync(store, keys, receiver, ("ACTIONCONNECTIONS_EGRESS_ALLOW", "127.0.0.1"));

        // An HTTP connection whose secret goes out in a header and in the query, and a caller header value.
        var secret = "tok-canary-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var headerValue = "caller-canary-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var id = await server.Client.CreateAsync($$$"""
            {"type":"HTTP","base_url":"{{{upstream.BaseAddress}}}api","credentials":{"type":"HTTPTokenAuth",
             "tokens":[{"name":"t","type":"SECRET","value":"{{{secret}}}"}],
             "headers":[{"name":"Authorization","value":"Bearer {{t}}"}],
             "url_parameters":[{"name":"key","value":"{{t}}"}]}}
            """);
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Post, HttpRequestBodies.Path(id))
        {
            Content = new StringContent(HttpRequestBodies.Request("GET", $"{upstream.BaseAddress}api/items?page=2", $$"""
                "headers":[{"name":"X-Caller","value":"{{headerValue}}"}]
                """), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(secret, Assert.Single(upstream.Received).Query.Split("key=")[1]);

        var spans = await receiver.WaitForSpansAsync(
            all => all.Any(s => s.TraceId == traceId && s.Kind == 2) && all.Any(s => s.TraceId == traceId && IsOutboundSpan(s)),
            TimeSpan.FromSeconds(20));
        var root = Assert.Single(spans, s => s.TraceId == traceId && s.Kind == 2);
        Assert.Equal("POST /api/v2/actionconnections/connections/{connection_id}/http_requests", root.Name);
        var outbound = Assert.Single(spans, s => s.TraceId == traceId && IsOutboundSpan(s));
        Assert.Equal(3, outbound.Kind); // CLIENT
        Assert.Equal(root.SpanId, outbound.ParentSpanId);
        Assert.Equal("GET", outbound.Attributes["http.request.method"]);
        Assert.Equal("127.0.0.1", outbound.Attributes["server.address"]);
        Assert.Equal(upstream.BaseAddress.Port.ToString(CultureInfo.InvariantCulture), outbound.Attributes["server.port"]);
        Assert.Equal("202", outbound.Attributes["http.response.status_code"]);

        // The query's values are redacted in url.full; no header value, secret or key anywhere.
        Assert.Empty(receiver.DecodeErrors);
        var exported = string.Concat(receiver.Bodies.Select(b => Encoding.UTF8.GetString(b.Body)));
        foreach (var forbidden in new[] { secret, headerValue, keys.ApiKey, keys.AppKey })
        {
            Assert.DoesNotContain(forbidden, exported, StringComparison.Ordinal);
            Assert.DoesNotContain(spans, s => s.Attributes.Values.Any(v => v.Contains(forbidden, StringComparison.Ordinal)));
        }
    }

    /// <summary>A server process exporting traces to <paramref name="receiver"/> every 100 ms, its bootstrap key registered.</summary>
    private static async Task<ServerProcess> StartTracedAsync(TestStore store, ServerKeys keys, OtlpReceiver receiver, params (string Name, string Value)[] extra)
    {
        var settings = ServerProcess.EnvironmentOf(store);
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/');
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }

        var server = await ServerProcess.StartAsync(store.DataDir, keys, settings);
        var appKeyId = Announced(server.Output, "application key id:");
        Assert.Equal(201, (await server.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{appKeyId}")).Status);
        return server;
    }

    private static bool IsOutboundSpan(ReceivedSpan span) => span.Kind == 3 && span.Attributes.ContainsKey("http.request.method");

    private static bool IsCreateSpan(ReceivedSpan span) => span.Name.TrimEnd('/') == "POST /api/v2/actions/connections";

    private static bool IsDatabaseSpan(ReceivedSpan span) =>
        (span.Attributes.TryGetValue("db.system.name", out var name) || span.Attributes.TryGetValue("db.system", out name))
        && name is "sqlite" or "postgresql";

    internal static string Announced(string output, string label) =>
        output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim();

    private static async Task<string> WaitForLogAsync(ServerProcess server, Func<string, bool> match)
    {
        for (var i = 0; i < 100; i++)
        {
            if (server.Output.Split('\n').FirstOrDefault(l => l.StartsWith('{') && match(l)) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"No such log line:\n{server.Output}");
        return string.Empty;
    }
}
