using ActionConnections.Egress;

namespace ActionConnections.Cloud;

/// <summary>
/// What the cloud providers' libraries send their token requests through (the AWS SDK's
/// <c>HttpClientFactory</c>, MSAL's <c>WithHttpClientFactory</c>, Google's
/// <c>HttpClientFactory</c>): the one egress-guarded handler (<see cref="EgressHttpClient"/>), so
/// STS, Entra and Google are reached under the same policy as every other outbound request:
/// the address dialled is checked, https only unless allowed, TLS 1.2 or newer, no redirects.
/// </summary>
internal sealed class CloudHttp(EgressHttpClient egress) : IDisposable
{
    private readonly EgressForwarder _handler = new(egress);

    /// <summary>A handler that sends through the guarded one; libraries may wrap it, never replace it.</summary>
    public HttpMessageHandler Handler => _handler;

    /// <summary>A client over the guarded handler; disposing it leaves the handler open. Timeouts are the caller's.</summary>
    public HttpClient CreateClient() => new(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The forwarder only; the guarded handler is the egress client's.</summary>
    public void Dispose() => _handler.Dispose();

    private sealed class EgressForwarder(EgressHttpClient egress) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            egress.SendAsync(request, cancellationToken);
    }
}
