using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A fake of an outside service on a loopback port, over TLS with a certificate of
/// <see cref="TestCertificateAuthority"/>. Its handler checks what it is sent and answers as the
/// real service would; every request's form fields are kept for the test to look at.
/// </summary>
internal sealed class FakeEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeEndpoint(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Every request received: path and form fields (the body, when it is a form).</summary>
    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public static async Task<FakeEndpoint> StartAsync(Func<HttpContext, FakeRequest, Task> handler)
    {
        var certificate = TestCertificateAuthority.IssueServerCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        FakeEndpoint? self = null;
        app.Run(async context =>
        {
            context.Request.EnableBuffering();
            string body;
            using (var reader = new StreamReader(context.Request.Body, leaveOpen: true))
            {
                body = await reader.ReadToEndAsync();
            }

            context.Request.Body.Position = 0;
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            if (context.Request.HasFormContentType)
            {
                foreach (var (name, value) in await context.Request.ReadFormAsync())
                {
                    form[name] = value.ToString();
                }
            }

            var request = new FakeRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, body, form,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            self!.Requests.Enqueue(request);
            await handler(context, request);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new FakeEndpoint(app, address);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record FakeRequest(string Method, string Path, string Body, IReadOnlyDictionary<string, string> Form, IReadOnlyDictionary<string, string> Headers);
