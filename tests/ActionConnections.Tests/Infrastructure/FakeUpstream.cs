using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A vendor API of our own on loopback that records what it receives, so a test checks the exact
/// request our server sent (headers, query, body). It answers with <c>respond</c>, by default
/// 200 <c>{"ok":true}</c>.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly LoopbackListener _listener;

    private FakeUpstream(LoopbackListener listener) => _listener = listener;

    public Uri BaseAddress => _listener.BaseAddress;

    /// <summary><c>127.0.0.1:port</c>, as a URL's authority names it.</summary>
    public string Authority => $"{BaseAddress.Host}:{BaseAddress.Port}";

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public ReceivedRequest Single => Assert.Single(Received);

    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, Task>? respond = null)
    {
        FakeUpstream? self = null;
        var listener = await LoopbackListener.StartAsync(app => app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            self!.Received.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? string.Empty,
                context.Request.QueryString.Value ?? string.Empty,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body.ToArray()));
            if (respond is null)
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"ok":true}""");
            }
            else
            {
                await respond(context);
            }
        }));
        self = new FakeUpstream(listener);
        return self;
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}

/// <summary>One request as the fake received it.</summary>
internal sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
