using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Gateway;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>
/// People without keys cannot flood an organisation's audit trail, the disk or the log (issue 11,
/// item 7): failures are aggregated per API key, client address (IPv6 by /64) and period.
/// </summary>
public sealed class AuthenticationFailureFloodTests
{
    private const string Events = "/api/v2/actionconnections/audit_events?filter[action]=authentication.failure&page[size]=1000";
    private const string WrongAppKey = "ffffffffffffffffffffffffffffffffffffffff";

    /// <summary>Day-long periods, so a slow run never straddles a period boundary (tallies are per clock-aligned period).</summary>
    private static readonly Dictionary<string, string?> OnePeriod = new() { ["ActionConnections:RateLimitPeriodSeconds"] = "86400" };

    [Fact]
    public async Task RepeatedFailures_OneKeyAndAddress_AreOneEventAndOneLogLineThenOneCountedEvent()
    {
        await using var app = await TestApp.StartAsync(OnePeriod);
        var replica = await app.StartReplicaAsync(OnePeriod);
        using var intruder = replica.CreateClient(TestApp.ApiKey, WrongAppKey);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(403, (await intruder.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        }

        var during = await FailureEventsAsync(app);
        var e = Assert.Single(during);
        Assert.Equal(1, e.GetProperty("count").GetInt64());
        Assert.Equal(app.Bootstrap!.ApiKey.Record.Id.ToString("D"), e.GetProperty("api_key_id").GetString());
        Assert.Equal("127.0.0.1", e.GetProperty("client_address").GetString());
        Assert.Single(replica.Logs.Entries, entry => entry.Message.StartsWith("Rejected unauthenticated", StringComparison.Ordinal));

        // The rest of the period is written as one counted event when the period ends (here: at shutdown).
        await replica.StopAsync();
        var after = await FailureEventsAsync(app);
        Assert.Equal(2, after.Count);
        Assert.Equal([1L, 49L], after.Select(x => x.GetProperty("count").GetInt64()).Order());
        Assert.Single(replica.Logs.Entries, entry => entry.Message.StartsWith("49 further authentication failures from 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_FromManyAddresses_AreBoundedPerOrganisation()
    {
        const int Addresses = AuthenticationFailures.MaxAddressesPerOrganization + 30;
        await using var app = await TestApp.StartAsync(OnePeriod);

        for (var i = 0; i < Addresses; i++)
        {
            using var intruder = ClientFrom(app, IPAddress.Parse($"127.0.{(i / 200) + 1}.{(i % 200) + 1}"));
            Assert.Equal(403, (await intruder.GetJsonAsync("/api/v2/actions/app_key_registrations")).Status);
        }

        var events = await FailureEventsAsync(app);
        Assert.Equal(AuthenticationFailures.MaxAddressesPerOrganization + 1, events.Count);
        var shared = Assert.Single(events, e => !e.TryGetProperty("client_address", out _));
        Assert.Equal(1, shared.GetProperty("count").GetInt64());
        Assert.True(
            app.Logs.Entries.Count(entry => entry.Message.StartsWith("Rejected unauthenticated", StringComparison.Ordinal)) <= AuthenticationFailures.MaxAddressesPerOrganization + 1,
            "log lines are bounded like events");
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    public void LimitKey_IPv6CountsPer64_IPv4PerAddress(string address, string expected) =>
        Assert.Equal(expected, ClientAddress.LimitKeyOf(IPAddress.Parse(address)));

    [Fact]
    public void LimitKey_UnknownAddress_IsOneKey() =>
        Assert.Equal("unknown", ClientAddress.LimitKeyOf(null));

    /// <summary>A client whose connections come from <paramref name="local"/> (any 127.0.0.0/8 address is loopback).</summary>
    private static HttpClient ClientFrom(TestApp app, IPAddress local)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Add("DD-API-KEY", TestApp.ApiKey);
        client.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", WrongAppKey);
        return client;
    }

    private static async Task<List<JsonElement>> FailureEventsAsync(TestApp app)
    {
        var response = await app.Client.GetJsonAsync(Events);
        Assert.Equal(200, response.Status);
        return [.. response.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("attributes").Clone())];
    }
}
