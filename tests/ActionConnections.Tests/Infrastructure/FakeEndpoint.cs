using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A fake of an outside service on a loopback port, over TLS with a certificate of
/// <see cref="TestCertificateAuthority"/>. Its handler checks what it is sent and answers as the
/// real service would; every request's form fields are kept for the test to look at.
/// </summary>
internal sealed class FakeEndpoint : IAsyncDisposable
{
    private readonly LoopbackListener _listener;

    private FakeEndpoint(LoopbackListener listener) => _listener = listener;

    public Uri BaseAddress => _listener.BaseAddress;

    /// <summary><c>127.0.0.1:port</c>, as a URL's authority names it.</summary>
    public string Authority => $"{BaseAddress.Host}:{BaseAddress.Port}";

    /// <summary>Every request received: path and form fields (the body, when it is a form).</summary>
    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public static async Task<FakeEndpoint> StartAsync(Func<HttpContext, FakeRequest, Task> handler)
    {
        FakeEndpoint? self = null;
        var listener = await LoopbackListener.StartAsync(app => app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            if (context.Request.HasFormContentType)
            {
                context.Request.Body = new MemoryStream(bytes);
                foreach (var (name, value) in await context.Request.ReadFormAsync())
                {
                    form[name] = value.ToString();
                }
            }

            var request = new FakeRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, Encoding.UTF8.GetString(bytes), form,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase))
            {
                Target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty,
                BodyBytes = bytes,
            };
            self!.Requests.Enqueue(request);
            await handler(context, request);
        }), TestCertificateAuthority.IssueServerCertificate());
        self = new FakeEndpoint(listener);
        return self;
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}

internal sealed record FakeRequest(string Method, string Path, string Body, IReadOnlyDictionary<string, string> Form, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The request target exactly as received: path and query, still encoded.</summary>
    public string Target { get; init; } = string.Empty;

    public byte[] BodyBytes { get; init; } = [];
}
