using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// The listening half of every fake of an outside service (<see cref="FakeUpstream"/>,
/// <see cref="FakeEndpoint"/>, the OTLP receiver): a quiet web application on a loopback port the
/// system picks, plain HTTP or TLS with a certificate of <see cref="TestCertificateAuthority"/>,
/// no request body limit (the fakes judge sizes themselves).
/// </summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackListener(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http(s)://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts a listener whose routes and handlers <paramref name="configure"/> sets up.</summary>
    public static async Task<LoopbackListener> StartAsync(Action<WebApplication> configure, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackListener(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
