using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace ActionConnections.Egress;

/// <summary>
/// The one <see cref="SocketsHttpHandler"/> through which the server sends requests on a user's
/// behalf. Its connect step resolves the host itself and checks every address it is about to
/// dial against the <see cref="EgressPolicy"/>, so what is checked is what is connected to: a name
/// that resolves to a denied address, DNS rebinding between a check and the connect, and every
/// alternative spelling of an address are all refused. No proxy (an environment proxy setting
/// would otherwise decide where requests go), no cookies, no automatic redirects (callers follow
/// them hop by hop, each hop checked again), TLS 1.2 or newer with certificates validated.
/// </summary>
internal static class EgressHandler
{
    /// <summary>Connections kept per destination (scheme, host, port): enough for bursts, bounded so one destination cannot take every socket.</summary>
    public const int MaxConnectionsPerDestination = 32;

    public static SocketsHttpHandler Create(EgressPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,

        // Bodies are read decoded, so secrets echoed inside a compressed body are still found and
        // redacted; the handler asks for the encodings it can decode.
        AutomaticDecompression = DecompressionMethods.All,
        MaxConnectionsPerServer = MaxConnectionsPerDestination,

        // Re-resolve and re-check destinations regularly: a pooled connection is not re-checked.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxResponseHeadersLength = 64,
        SslOptions = new SslClientAuthenticationOptions
        {
            // Pinned on purpose: the floor the issue sets (TLS 1.2); the OS default could allow older.
#pragma warning disable CA5398
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
#pragma warning restore CA5398
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        },
        ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context, cancellationToken),
    };

    private static async ValueTask<Stream> ConnectAsync(EgressPolicy policy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var secure = context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttps;
        var addresses = await ResolveAsync(host, cancellationToken);

        // Every address the name has must pass, not only the one tried first: a name that
        // answers with a public and a private address is refused as a whole.
        foreach (var address in addresses)
        {
            if (policy.Check(host, address, secure) is { } reason)
            {
                throw new EgressDeniedException(reason);
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            // ::ffff:a.b.c.d is dialled as a.b.c.d: the address checked is the one connected to.
            var target = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var literal = host.Trim('[', ']');
        if (IPAddress.TryParse(literal, out var address))
        {
            return [address];
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return addresses.Length == 0 ? throw new EgressDnsException(host) : addresses;
        }
        catch (SocketException)
        {
            throw new EgressDnsException(host);
        }
    }
}

/// <summary>The egress policy refused an address; the message starts with <c>egress denied:</c>.</summary>
internal sealed class EgressDeniedException(string reason) : Exception($"egress denied: {reason}");

/// <summary>The destination's name did not resolve.</summary>
internal sealed class EgressDnsException(string host) : Exception($"DNS lookup of {host} failed")
{
    public string Host { get; } = host;
}
