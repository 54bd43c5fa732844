using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ActionConnections.Tests.Foundation;

/// <summary>
/// More requests than the server takes on at once are answered 503 at once, in the API's error
/// shape, instead of piling up until memory runs out (ADR 0023). A request holds its turn while
/// its body is still arriving, which is how these tests keep one in flight without any timing.
/// </summary>
public sealed class OverloadProtectionTests
{
    private const string ServiceUnavailableBody = """{"errors":[{"status":"503","title":"Service Unavailable","detail":"Service temporarily unavailable"}]}""";

    private static readonly string HeldCreate = ConnectionBodies.Create("""{"type":"OpenAI","credentials":{"type":"OpenAIAPIKey","api_token":"sk-held"}}""", "held");

    private static readonly Dictionary<string, string?> OneAtATime = new()
    {
        ["ActionConnections:MaxConcurrentRequests"] = "1",
        ["ActionConnections:RequestQueueLimit"] = "0",
    };

    [Fact]
    public async Task RequestBeyondTheLimit_Gets503WithRetryAfter_AndTheServerAnswersAgainOnceTheFirstEnds()
    {
        await using var app = await StartAsync(OneAtATime);
        var registration = $"/api/v2/actions/app_key_registrations/{app.AppKeyId}";

        await using (var held = await HeldRequest.StartAsync(app, "POST", "/api/v2/actions/connections", HeldCreate))
        {
            var refused = await app.Client.GetJsonAsync(registration);
            ApiAssert.JsonApiBody(refused, 503, ServiceUnavailableBody);
            Assert.Equal("1", refused.Header("Retry-After"));

            var finished = await held.FinishAsync();
            Assert.Equal(201, finished.Status);
        }

        var answered = await app.Client.GetJsonAsync(registration);
        Assert.Equal(200, answered.Status);
    }

    [Fact]
    public async Task HealthProbes_AreNeverLimited()
    {
        await using var app = await StartAsync(OneAtATime);
        await using var held = await HeldRequest.StartAsync(app, "POST", "/api/v2/actions/connections", HeldCreate);
        Assert.Equal(503, (await app.Client.GetJsonAsync($"/api/v2/actions/app_key_registrations/{app.AppKeyId}")).Status);

        Assert.Equal(200, (await app.Client.GetJsonAsync("/health/live")).Status);
        Assert.Equal(200, (await app.Client.GetJsonAsync("/health/ready")).Status);
    }

    [Fact]
    public async Task UsesOfAConnection_WaitInTheirOwnPool()
    {
        await using var app = await StartAsync(OneAtATime);
        var missing = Guid.NewGuid();

        // A use held open (its body still arriving) leaves the rest of the API answering...
        await using (var use = await HeldRequest.StartAsync(app, "POST", $"/api/v2/actionconnections/connections/{missing}/http_requests", """{"data":{"type":"http_request","attributes":{"method":"GET","url":"/"}}}"""))
        {
            var refused = await app.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{missing}/credentials");
            Assert.Equal(503, refused.Status);
            Assert.Equal(200, (await app.Client.GetJsonAsync($"/api/v2/actions/app_key_registrations/{app.AppKeyId}")).Status);
            Assert.Equal(404, (await use.FinishAsync()).Status);
        }

        // ...and the API held open leaves uses answering.
        await using var api = await HeldRequest.StartAsync(app, "POST", "/api/v2/actions/connections", HeldCreate);
        Assert.Equal(503, (await app.Client.GetJsonAsync($"/api/v2/actions/app_key_registrations/{app.AppKeyId}")).Status);
        var credentials = await app.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/actionconnections/connections/{missing}/credentials");
        Assert.Equal(404, credentials.Status);
    }

    [Fact]
    public async Task QueuedRequest_WaitsForItsTurn_InsteadOfBeingRefused()
    {
        await using var app = await StartAsync(new Dictionary<string, string?>
        {
            ["ActionConnections:MaxConcurrentRequests"] = "1",
            ["ActionConnections:RequestQueueLimit"] = "1",
        });
        var registration = $"/api/v2/actions/app_key_registrations/{app.AppKeyId}";
        await using var held = await HeldRequest.StartAsync(app, "POST", "/api/v2/actions/connections", HeldCreate);

        // Queued behind the held request: it cannot finish before that one does.
        var queued = await HeldRequest.StartAsync(app, "GET", registration, json: null);
        await using (queued)
        {
            await QueuedAsync(app, registration, 1);

            // With one turn taken and the queue's one place taken, a third request is refused.
            Assert.Equal(503, (await app.Client.GetJsonAsync(registration)).Status);
            Assert.False(queued.HasAnswer);

            Assert.Equal(201, (await held.FinishAsync()).Status);
            Assert.Equal(200, (await queued.FinishAsync()).Status);
        }
    }

    [Theory]
    [InlineData("MaxConcurrentRequests", "0", "ACTIONCONNECTIONS_MAX_CONCURRENT_REQUESTS must be between 1 and 100000.")]
    [InlineData("RequestQueueLimit", "-1", "ACTIONCONNECTIONS_REQUEST_QUEUE_LIMIT must be between 0 and 1000000.")]
    public async Task Settings_Invalid_RefusedAtStart(string setting, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(new Dictionary<string, string?> { [$"ActionConnections:{setting}"] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Waits until <paramref name="count"/> requests wait in the queue of <paramref name="path"/>'s pool (the limiter's own statistics).</summary>
    private static async Task QueuedAsync(TestApp app, string path, long count)
    {
        var limiter = app.Service<IOptions<RateLimiterOptions>>().Value.GlobalLimiter!;
        var probe = new DefaultHttpContext();
        probe.Request.Path = path;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (limiter.GetStatistics(probe)?.CurrentQueuedCount != count)
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    private static async Task<TestApp> StartAsync(Dictionary<string, string?> settings)
    {
        var app = await TestApp.StartAsync(settings);
        await app.RegisterBootstrapKeyAsync();
        return app;
    }

    /// <summary>
    /// A request the server is in the middle of: sent with <c>Expect: 100-continue</c>, so the
    /// server's <c>100 Continue</c> says it was admitted and its handler is reading the body. The
    /// body (JSON after 64 KiB of leading whitespace) then trickles in, fast enough for Kestrel's
    /// minimum data rate, until <see cref="FinishAsync"/> sends the rest. A request without a body
    /// is sent whole and may wait in the queue, unanswered.
    /// </summary>
    private sealed class HeldRequest : IAsyncDisposable
    {
        private const int Padding = 64 * 1024;

        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly byte[] _body;
        private readonly MemoryStream _received = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _reading = Task.CompletedTask;
        private Task _trickling = Task.CompletedTask;
        private int _sent;

        private HeldRequest(Socket socket, byte[] body)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: false);
            _body = body;
        }

        public bool HasAnswer
        {
            get
            {
                lock (_received)
                {
                    return _received.Length > 0 || _reading.IsCompleted;
                }
            }
        }

        public static async Task<HeldRequest> StartAsync(TestApp app, string method, string path, string? json)
        {
            var body = json is null ? [] : Encoding.UTF8.GetBytes(new string(' ', Padding) + json);
            var head = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"{method} {path} HTTP/1.1\r\nHost: {app.BaseAddress.Host}:{app.BaseAddress.Port}\r\n")
                .Append(CultureInfo.InvariantCulture, $"DD-API-KEY: {TestApp.ApiKey}\r\nDD-APPLICATION-KEY: {TestApp.AppKey}\r\n")
                .Append(json is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\nExpect: 100-continue\r\n"))
                .Append("Connection: close\r\n\r\n")
                .ToString();
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(app.BaseAddress.Host, app.BaseAddress.Port);
            var held = new HeldRequest(socket, body);
            await held._stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            if (json is not null)
            {
                var interim = await held.ReadHeadAsync();
                Assert.True(interim.StartsWith("HTTP/1.1 100 ", StringComparison.Ordinal), $"not admitted: {interim}");
                held._trickling = held.TrickleAsync();
            }

            held._reading = held.ReadAllAsync();
            return held;
        }

        public async Task<RawResponse> FinishAsync()
        {
            await _stop.CancelAsync();
            await _trickling;
            await _stream.WriteAsync(_body.AsMemory(_sent));
            await _reading.WaitAsync(TimeSpan.FromSeconds(30));
            return RawResponse.Parse(_received.ToArray(), isHead: false);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _trickling;
            _socket.Dispose();
            await _stream.DisposeAsync();
            try
            {
                await _reading;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // The socket was closed under the read: nothing more to read.
            }

            _stop.Dispose();
        }

        /// <summary>The interim response's head, byte by byte, so nothing after it is consumed.</summary>
        private async Task<string> ReadHeadAsync()
        {
            var head = new StringBuilder();
            var one = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await _stream.ReadAsync(one, timeout.Token) == 1)
            {
                head.Append((char)one[0]);
            }

            return head.ToString();
        }

        /// <summary>1 KiB of the leading whitespace every 100 ms: well above Kestrel's 240 bytes/s, and never the JSON itself.</summary>
        private async Task TrickleAsync()
        {
            try
            {
                while (_sent + 1024 <= Padding)
                {
                    await Task.Delay(100, _stop.Token);
                    await _stream.WriteAsync(_body.AsMemory(_sent, 1024), _stop.Token);
                    _sent += 1024;
                }
            }
            catch (OperationCanceledException)
            {
                // Finished or given up: the rest is sent by FinishAsync, or never.
            }
        }

        private async Task ReadAllAsync()
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await _stream.ReadAsync(buffer)) > 0)
            {
                lock (_received)
                {
                    _received.Write(buffer, 0, read);
                }
            }
        }
    }
}
