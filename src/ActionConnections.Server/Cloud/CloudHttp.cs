using System.Security.Authentication;

namespace ActionConnections.Cloud;

/// <summary>
/// The one HTTP stack that the cloud providers' libraries send their token requests through (the
/// AWS SDK's <c>HttpClientFactory</c>, MSAL's <c>WithHttpClientFactory</c>, Google's
/// <c>HttpClientFactory</c>): one pooled handler, TLS 1.2 or newer, certificates validated by
/// the platform, no redirects followed.
/// </summary>
internal sealed class CloudHttp : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        SslOptions = { EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 },
        UseProxy = false,
    };

    /// <summary>The shared handler, for libraries that build their own client around one.</summary>
    public HttpMessageHandler Handler => _handler;

    /// <summary>A client over the shared handler; disposing it leaves the handler open. Timeouts are the caller's.</summary>
    public HttpClient CreateClient() => new(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose() => _handler.Dispose();
}
