using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace ActionConnections.Bench.OpenLoop;

/// <summary>
/// Latency at a fixed request rate, free of coordinated omission. Request i is due at
/// <c>start + i / rate</c>, whatever happened to the requests before it; it is sent as soon as it
/// is due (as many at once as are due, never waiting for a free connection it could open), and its
/// latency runs from when it was <em>due</em> to when its response has been read. A server that
/// stalls therefore shows the stall in every request scheduled during it, as its users would see
/// it, instead of the closed-loop generator simply sending fewer (wrk: the hidden queue).
/// Lateness of the generator itself (due → sent) is reported too: when it is large, the machine,
/// not the server, is the limit of the figure.
/// </summary>
/// <remarks>
/// Usage: <c>OpenLoop --url BASE --rate R --seconds S [--warmup S] [--method M] [--path P]
/// [--ids FILE] [--body FILE] [--header "Name: value"]...</c>. <c>{id}</c> in the path is replaced
/// by the ids of FILE in turn. Prints one JSON object on stdout.
/// </remarks>
internal static partial class Program
{
    /// <summary>
    /// Requests in flight at most. A request due while this many wait is not sent, and counted as
    /// <c>not_sent</c>: the target is then far past what the server answers, the figure is not a
    /// latency any more, and an unbounded backlog would only exhaust this machine's memory (and
    /// the server's) instead of measuring anything.
    /// </summary>
    private const int MaxInFlight = 4096;

    /// <summary>The status recorded for a request the generator did not send (see <see cref="MaxInFlight"/>).</summary>
    private const int NotSent = -1;

    public static async Task<int> Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"OpenLoop: {e.Message}");
            return 2;
        }

        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxConnectionsPerServer = int.MaxValue,
        };
        using var client = new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };

        if (options.WarmupSeconds > 0)
        {
            await RunAsync(client, options, options.WarmupSeconds);
        }

        var result = await RunAsync(client, options, options.Seconds);
        Console.WriteLine(result.ToJson(options));
        return 0;
    }

    private static async Task<Result> RunAsync(HttpClient client, Options options, double seconds)
    {
        var count = (int)Math.Max(1, Math.Round(options.Rate * seconds));
        var latencyTicks = new long[count];
        var lateTicks = new long[count];
        var statuses = new int[count];
        var tasks = new List<Task>(count);
        var inFlight = 0;
        var saturated = 0;
        var interval = Stopwatch.Frequency / options.Rate;
        NativeSleep.TightenTimerSlack();
        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * interval);
            WaitUntil(due);
            if (Volatile.Read(ref inFlight) >= MaxInFlight)
            {
                saturated++;
                statuses[i] = NotSent;
                continue;
            }

            Interlocked.Increment(ref inFlight);
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                lateTicks[index] = Stopwatch.GetTimestamp() - due;
                statuses[index] = await SendAsync(client, options, index);
                latencyTicks[index] = Stopwatch.GetTimestamp() - due;
                Interlocked.Decrement(ref inFlight);
            }));
        }

        var sent = Stopwatch.GetElapsedTime(start);
        await Task.WhenAll(tasks);
        return new Result(count, sent.TotalSeconds, latencyTicks, lateTicks, statuses, saturated);
    }

    /// <summary>
    /// Sleeps until the due time with the kernel's nanosecond timer. Spinning (or yielding) to the
    /// due time instead, as this once did, kept a whole core busy at high rates: on a two-core
    /// machine that core is taken from the server being measured, and the generator's own lateness
    /// then dominated the tail. A sleep that ends late is still honest: latency runs from due time.
    /// </summary>
    private static void WaitUntil(long due)
    {
        while (true)
        {
            var left = due - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return;
            }

            var nanoseconds = (long)(left * (1_000_000_000.0 / Stopwatch.Frequency));
            var request = new Timespec(nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000);
            _ = NativeSleep.Nanosleep(in request, IntPtr.Zero);
        }
    }

    private static async Task<int> SendAsync(HttpClient client, Options options, int index)
    {
        var path = options.Ids.Length == 0 ? options.Path : options.Path.Replace("{id}", options.Ids[index % options.Ids.Length], StringComparison.Ordinal);
        using var request = new HttpRequestMessage(options.Method, path) { Version = HttpVersion.Version11 };
        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (options.Body is not null)
        {
            request.Content = new ByteArrayContent(options.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException)
        {
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);

    /// <summary>libc's <c>nanosleep</c> and the thread's timer slack (Linux; the bench runs only there).</summary>
    private static partial class NativeSleep
    {
        private const int PrSetTimerSlack = 29;

        [LibraryImport("libc", EntryPoint = "nanosleep")]
        public static partial int Nanosleep(in Timespec request, IntPtr remaining);

        [LibraryImport("libc", EntryPoint = "prctl")]
        private static partial int Prctl(int option, nuint value, nuint arg3, nuint arg4, nuint arg5);

        /// <summary>
        /// Timer slack of 1 ns for the calling thread: the default 50 µs lets the kernel wake a
        /// sleeper up to 50 µs late to batch wake-ups, which would show in every request's latency.
        /// </summary>
        public static void TightenTimerSlack() => _ = Prctl(PrSetTimerSlack, 1, 0, 0, 0);
    }

    private sealed record Options(Uri Url, double Rate, double Seconds, double WarmupSeconds, HttpMethod Method, string Path, string[] Ids, byte[]? Body, List<(string Name, string Value)> Headers)
    {
        public static Options Parse(string[] args)
        {
            Uri? url = null;
            double rate = 0, seconds = 0, warmup = 0;
            var method = HttpMethod.Get;
            var path = "/";
            string[] ids = [];
            byte[]? body = null;
            var headers = new List<(string, string)>();
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{args[i]} needs a value");
                switch (args[i++])
                {
                    case "--url": url = new Uri(value); break;
                    case "--rate": rate = Number(value); break;
                    case "--seconds": seconds = Number(value); break;
                    case "--warmup": warmup = Number(value); break;
                    case "--method": method = new HttpMethod(value); break;
                    case "--path": path = value; break;
                    case "--ids": ids = [.. File.ReadAllLines(value).Where(l => l.Length > 0)]; break;
                    case "--body": body = File.ReadAllBytes(value); break;
                    case "--header":
                        var colon = value.IndexOf(':', StringComparison.Ordinal);
                        if (colon <= 0)
                        {
                            throw new FormatException($"--header '{value}' is not 'Name: value'");
                        }

                        headers.Add((value[..colon].Trim(), value[(colon + 1)..].Trim()));
                        break;
                    default: throw new FormatException($"unknown argument {args[i - 1]}");
                }
            }

            if (url is null || rate <= 0 || seconds <= 0)
            {
                throw new FormatException("usage: OpenLoop --url BASE --rate R --seconds S [--warmup S] [--method M] [--path P] [--ids FILE] [--body FILE] [--header \"Name: value\"]...");
            }

            return new Options(url, rate, seconds, warmup, method, path, ids, body, headers);
        }

        private static double Number(string text) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"'{text}' is not a number");
    }

    private sealed record Result(int Requests, double SendSeconds, long[] LatencyTicks, long[] LateTicks, int[] Statuses, int Saturated)
    {
        public string ToJson(Options options)
        {
            // Percentiles of the requests sent; those not sent are counted apart (not_sent).
            var sent = Enumerable.Range(0, Requests).Where(i => Statuses[i] != NotSent).ToArray();
            var latency = Sorted([.. sent.Select(i => LatencyTicks[i])]);
            var late = Sorted([.. sent.Select(i => LateTicks[i])]);
            var ok = Statuses.Count(s => s is >= 200 and < 400);
            var failed = Statuses.Count(s => s == 0);
            var json = new StringBuilder();
            json.Append(CultureInfo.InvariantCulture, $"{{\"method\":\"{options.Method.Method}\",\"target_rps\":{options.Rate:0.##},\"achieved_send_rps\":{Requests / SendSeconds:0.##},\"seconds\":{options.Seconds:0.##},\"requests\":{Requests},\"ok\":{ok},\"errors\":{failed},\"non_2xx_3xx\":{Requests - ok - failed - Saturated},\"not_sent\":{Saturated},");
            json.Append(CultureInfo.InvariantCulture, $"\"p50_ms\":{Ms(Quantile(latency, 0.50)):0.###},\"p99_ms\":{Ms(Quantile(latency, 0.99)):0.###},\"p999_ms\":{Ms(Quantile(latency, 0.999)):0.###},\"max_ms\":{Ms(latency.Length == 0 ? 0 : latency[^1]):0.###},");
            json.Append(CultureInfo.InvariantCulture, $"\"sender_late_p50_ms\":{Ms(Quantile(late, 0.50)):0.###},\"sender_late_p99_ms\":{Ms(Quantile(late, 0.99)):0.###}}}");
            return json.ToString();
        }

        private static long[] Sorted(long[] values)
        {
            var copy = (long[])values.Clone();
            Array.Sort(copy);
            return copy;
        }

        /// <summary>The nearest-rank quantile.</summary>
        private static long Quantile(long[] sorted, double q) =>
            sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

        private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
    }
}
