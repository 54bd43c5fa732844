using System.Net;
using System.Net.Sockets;

namespace ActionConnections.Egress;

/// <summary>
/// Which IP addresses are not the public internet: loopback, private, link-local (cloud metadata
/// services live there), CGNAT, multicast, broadcast, documentation and other reserved ranges
/// (IANA's special-purpose registries), and every IPv6 form that carries one of those IPv4
/// addresses inside it. The guard asks this about the address a socket is about to connect to,
/// never about a host name, so no spelling of a host can get around it.
/// </summary>
internal static class AddressClassifier
{
    private static readonly (IPNetwork Network, string Reason)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "in 0.0.0.0/8 (this network)"),
        (IPNetwork.Parse("10.0.0.0/8"), "private (10.0.0.0/8)"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (169.254.0.0/16, where cloud metadata services answer)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private (172.16.0.0/12)"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved for IETF protocol assignments (192.0.0.0/24)"),
        (IPNetwork.Parse("192.0.2.0/24"), "reserved for documentation (192.0.2.0/24)"),
        (IPNetwork.Parse("192.88.99.0/24"), "reserved (192.88.99.0/24, former 6to4 relays)"),
        (IPNetwork.Parse("192.168.0.0/16"), "private (192.168.0.0/16)"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved for benchmarking (198.18.0.0/15)"),
        (IPNetwork.Parse("198.51.100.0/24"), "reserved for documentation (198.51.100.0/24)"),
        (IPNetwork.Parse("203.0.113.0/24"), "reserved for documentation (203.0.113.0/24)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast (224.0.0.0/4)"),
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast (255.255.255.255)"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
    ];

    private static readonly (IPNetwork Network, string Reason)[] V6 =
    [
        (IPNetwork.Parse("::/128"), "the unspecified address (::)"),
        (IPNetwork.Parse("::1/128"), "loopback (::1)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"),
        (IPNetwork.Parse("100::/64"), "discard-only (100::/64)"),
        (IPNetwork.Parse("2001:db8::/32"), "reserved for documentation (2001:db8::/32)"),
        (IPNetwork.Parse("2001::/23"), "reserved for IETF protocol assignments, incl. Teredo (2001::/23)"),
        (IPNetwork.Parse("3fff::/20"), "reserved for documentation (3fff::/20)"),
        (IPNetwork.Parse("5f00::/16"), "reserved for SRv6 (5f00::/16)"),
        (IPNetwork.Parse("fc00::/7"), "unique-local (fc00::/7, incl. the EC2 metadata service fd00:ec2::254)"),
        (IPNetwork.Parse("fe80::/10"), "link-local (fe80::/10)"),
        (IPNetwork.Parse("fec0::/10"), "site-local, deprecated (fec0::/10)"),
        (IPNetwork.Parse("ff00::/8"), "multicast (ff00::/8)"),
    ];

    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Why <paramref name="address"/> is not a public internet address, or null when it is one.</summary>
    public static string? Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyV4(address);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not an IP address";
        }

        // A scope id does not change where the bytes point; compare the bare address.
        var bare = address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
        if (bare.IsIPv4MappedToIPv6)
        {
            return Embedded(bare, 12, "IPv4-mapped");
        }

        foreach (var (network, reason) in V6)
        {
            if (network.Contains(bare))
            {
                return reason;
            }
        }

        // Deprecated forms: refused whatever they carry, and said so with the address inside.
        if (Compatible.Contains(bare))
        {
            var inner = EmbeddedV4(bare, 12);
            return $"an IPv4-compatible IPv6 address (deprecated, ::/96) embedding {inner}" + (ClassifyV4(inner) is { } why ? $", which is {why}" : string.Empty);
        }

        if (Nat64.Contains(bare))
        {
            return Embedded(bare, 12, "NAT64 (64:ff9b::/96)");
        }

        if (SixToFour.Contains(bare))
        {
            return Embedded(bare, 2, "6to4 (2002::/16)");
        }

        return null;
    }

    private static string? ClassifyV4(IPAddress address)
    {
        foreach (var (network, reason) in V4)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>An IPv6 form that routes to an IPv4 address is as denied as that address.</summary>
    private static string? Embedded(IPAddress address, int offset, string form)
    {
        var inner = EmbeddedV4(address, offset);
        return ClassifyV4(inner) is { } reason ? $"a {form} IPv6 address embedding {inner}, which is {reason}" : null;
    }

    private static IPAddress EmbeddedV4(IPAddress address, int offset) =>
        new(address.GetAddressBytes().AsSpan(offset, 4));
}
