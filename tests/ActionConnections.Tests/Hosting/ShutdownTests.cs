using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Hosting;

/// <summary>
/// SIGTERM during a steady load, on a real server process: readiness turns 503 at once, the load
/// (like a load balancer) stops sending when it sees that, no request already sent fails (one of
/// them is still uploading its body when the server stops accepting), and the process exits 0
/// within the delay plus the drain time.
/// </summary>
public sealed class ShutdownTests
{
    private const int DelaySeconds = 1;
    private const int DrainSeconds = 10;

    [Fact]
    public async Task Sigterm_DuringSteadyLoad_NoInFlightRequestFailsAndExitsZeroWithinDrainTime()
    {
        await using var store = TestStore.Create();
        var keys = ServerKeys.New();
        var settings = ServerProcess.EnvironmentOf(store);
        settings["ACTIONCONNECTIONS_SHUTDOWN_DELAY_SECONDS"] = DelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["ACTIONCONNECTIONS_SHUTDOWN_DRAIN_SECONDS"] = DrainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var server = await ServerProcess.StartAsync(store.DataDir, keys, settings);
        var appKeyId = Observability.TracingTests.Announced(server.Output, "application key id:");
        Assert.Equal(201, (await server.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{appKeyId}")).Status);
        var existing = await server.Client.CreateAsync(ConnectionBodies.AwsIntegration, "read under load");

        var notReady = new TaskCompletionSource();
        var failures = new List<string>();
        var completed = 0;
        var loops = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !notReady.Task.IsCompleted; i++)
            {
                try
                {
                    var response = worker % 2 == 0
                        ? await server.Client.GetJsonAsync($"/api/v2/actions/connections/{existing}")
                        : await server.Client.SendJsonAsync(HttpMethod.Post, "/api/v2/actions/connections", ConnectionBodies.Create(ConnectionBodies.AwsIntegration, $"load {worker}-{i}"));
                    if (response.Status is not (200 or 201))
                    {
                        lock (failures)
                        {
                            failures.Add(response.ToString());
                        }
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (HttpRequestException e)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        })).ToList();

        // One request whose body is still arriving when the server stops accepting connections.
        using var slowClient = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        slowClient.DefaultRequestHeaders.Add("DD-API-KEY", keys.ApiKey);
        slowClient.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", keys.AppKey);
        var slowBody = new SlowContent(Encoding.UTF8.GetBytes(ConnectionBodies.Create(ConnectionBodies.AwsIntegration, "slow upload")), TimeSpan.FromSeconds(DelaySeconds + 1.5));
        var slow = slowClient.PostAsync("/api/v2/actions/connections", slowBody);

        while (Volatile.Read(ref completed) < 40)
        {
            await Task.Delay(10);
        }

        await slowBody.Started.Task;
        using var probe = new HttpClient { BaseAddress = server.BaseAddress };
        var clock = Stopwatch.StartNew();
        var exit = server.TerminateAsync(TimeSpan.FromSeconds(DelaySeconds + DrainSeconds + 10));
        var sawNotReady = false;
        while (clock.Elapsed < TimeSpan.FromSeconds(DelaySeconds))
        {
            using var ready = await probe.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal("""{"status":"unhealthy","draining":true}""", await ready.Content.ReadAsStringAsync());
                sawNotReady = true;
                break;
            }

            await Task.Delay(20);
        }

        notReady.TrySetResult();
        await Task.WhenAll(loops);
        using var slowResponse = await slow;
        var exitCode = await exit;
        clock.Stop();

        Assert.True(sawNotReady, $"/health/ready did not answer 503 within the {DelaySeconds} s delay:\n{server.Output}");
        Assert.True(failures.Count == 0, $"{failures.Count} request(s) failed:\n{string.Join('\n', failures.Take(10))}\n{server.Output}");
        Assert.Equal(HttpStatusCode.Created, slowResponse.StatusCode);
        Assert.True(exitCode == 0, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (still running)"}:\n{server.Output}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(DelaySeconds + DrainSeconds), $"took {clock.Elapsed}");
        Assert.True(slowBody.Finished > TimeSpan.FromSeconds(DelaySeconds), "the slow body must still be uploading when the server stops accepting");
    }

    /// <summary>A request body written in pieces over <paramref name="duration"/>, with its length declared.</summary>
    private sealed class SlowContent(byte[] body, TimeSpan duration) : HttpContent
    {
        private readonly Stopwatch _clock = new();

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>When the last byte was written, from the first.</summary>
        public TimeSpan Finished { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            const int Pieces = 10;
            _clock.Start();
            var piece = (body.Length + Pieces - 1) / Pieces;
            for (var offset = 0; offset < body.Length; offset += piece)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(piece, body.Length - offset)));
                await stream.FlushAsync();
                Started.TrySetResult();
                await Task.Delay(duration / Pieces);
            }

            Finished = _clock.Elapsed;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            Headers.ContentType ??= MediaTypeHeaderValue.Parse("application/json");
            return true;
        }
    }
}
