using System.Net.Sockets;
using System.Security.Authentication;

namespace ActionConnections.Egress;

/// <summary>
/// Sends one request through the guarded <see cref="EgressHandler"/>: the only way the server
/// talks to a destination a user chose. The response comes back as soon as its headers are in;
/// the body streams, so callers bound what they read. Redirects come back as responses.
/// </summary>
internal sealed class EgressHttpClient(EgressPolicy policy) : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(EgressHandler.Create(policy), disposeHandler: true);

    public EgressPolicy Policy { get; } = policy;

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);

    public void Dispose() => _invoker.Dispose();

    /// <summary>
    /// What went wrong with a send, in words fit for a caller (never a header or a body): egress
    /// refused, DNS, TLS, or the connection. Null when the exception is not a transport failure.
    /// </summary>
    public static EgressFailure? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case EgressDeniedException denied:
                    return new EgressFailure(EgressFailureKind.Denied, denied.Message);
                case EgressDnsException dns:
                    return new EgressFailure(EgressFailureKind.Dns, $"upstream unreachable: DNS lookup of {dns.Host} failed");
                case AuthenticationException:
                    return new EgressFailure(EgressFailureKind.Tls, "upstream TLS failure: the TLS handshake failed (TLS 1.2 or newer and a valid certificate are required)");
                case SocketException socket:
                    return new EgressFailure(EgressFailureKind.Connect, $"upstream unreachable: {Words(socket.SocketErrorCode)}");
            }
        }

        return exception is HttpRequestException or IOException
            ? new EgressFailure(EgressFailureKind.Connect, "upstream unreachable: the connection failed or was closed before a complete response")
            : null;
    }

    private static string Words(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.TimedOut => "connection timed out",
        SocketError.ConnectionReset => "connection reset",
        _ => $"socket error {error}",
    };
}

internal enum EgressFailureKind
{
    Denied,
    Dns,
    Tls,
    Connect,
}

/// <summary>A transport failure of a send, described for the caller.</summary>
internal sealed record EgressFailure(EgressFailureKind Kind, string Detail);
