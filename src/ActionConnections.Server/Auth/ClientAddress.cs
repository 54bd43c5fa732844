using System.Net;
using System.Net.Sockets;

namespace ActionConnections.Auth;

/// <summary>What authentication failures are counted and aggregated by: the client's address, or its /64 for IPv6.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// An IPv4 address as it is (an IPv4-mapped IPv6 address counts as its IPv4 address); an IPv6
    /// address as its /64 prefix, e.g. <c>2001:db8:1:2::/64</c>. A single IPv6 host is routinely
    /// given a whole /64, so counting per address would let one client spend 2^64 budgets.
    /// </summary>
    public static string LimitKeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
