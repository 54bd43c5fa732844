using System.Net;
using ActionConnections.Egress;

namespace ActionConnections.Tests.Egress;

/// <summary>The built-in deny list, range by range, without sockets: one denied and, where it helps, one allowed neighbour each.</summary>
public sealed class AddressClassifierTests
{
    [Theory]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.255.255.255", "this network")]
    [InlineData("10.0.0.1", "private (10.0.0.0/8)")]
    [InlineData("10.255.255.255", "private (10.0.0.0/8)")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("172.16.0.1", "private (172.16.0.0/12)")]
    [InlineData("172.31.255.255", "private (172.16.0.0/12)")]
    [InlineData("192.0.0.170", "IETF protocol assignments")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("192.88.99.1", "former 6to4 relays")]
    [InlineData("192.168.1.1", "private (192.168.0.0/16)")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved (240.0.0.0/4)")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback (::1)")]
    [InlineData("fe80::1", "link-local (fe80::/10)")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd00:ec2::254", "unique-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("100::1", "discard-only")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("64:ff9b:1::1", "local-use NAT64")]
    [InlineData("3fff::1", "documentation")]
    // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4.
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped IPv6 address embedding 127.0.0.1, which is loopback")]
    [InlineData("::ffff:169.254.169.254", "embedding 169.254.169.254, which is link-local")]
    [InlineData("::ffff:10.1.2.3", "embedding 10.1.2.3, which is private")]
    [InlineData("::127.0.0.1", "IPv4-compatible IPv6 address (deprecated, ::/96) embedding 127.0.0.1, which is loopback")]
    [InlineData("::8.8.8.8", "IPv4-compatible")]
    [InlineData("64:ff9b::7f00:1", "NAT64 (64:ff9b::/96) IPv6 address embedding 127.0.0.1, which is loopback")]
    [InlineData("64:ff9b::a9fe:a9fe", "embedding 169.254.169.254")]
    [InlineData("2002:7f00:1::", "6to4 (2002::/16) IPv6 address embedding 127.0.0.1, which is loopback")]
    [InlineData("2002:a9fe:a9fe::1", "embedding 169.254.169.254, which is link-local")]
    [InlineData("2002:c0a8:0101::", "embedding 192.168.1.1, which is private")]
    public void Classify_DeniedAddress_NamesTheRange(string address, string expected)
    {
        var reason = AddressClassifier.Classify(IPAddress.Parse(address));

        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Classify_PublicAddress_IsAllowed(string address) =>
        Assert.Null(AddressClassifier.Classify(IPAddress.Parse(address)));

    /// <summary>
    /// The odd spellings a URL may use all reach the classifier as the address they mean: the
    /// guard checks addresses, never host text.
    /// </summary>
    [Theory]
    [InlineData("2130706433")]
    [InlineData("0x7f.1")]
    [InlineData("0x7f000001")]
    [InlineData("017700000001")]
    [InlineData("127.1")]
    [InlineData("0177.0.0.1")]
    public void Classify_Ipv4Spellings_AreLoopback(string spelling)
    {
        Assert.True(IPAddress.TryParse(spelling, out var address));
        Assert.Equal(IPAddress.Loopback, address);
        Assert.Contains("loopback", AddressClassifier.Classify(address), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]")]
    [InlineData("http://[::1]/", "[::1]")]
    public void UrlHosts_OddSpellings_ParseToTheAddressTheyMean(string url, string host) =>
        Assert.Equal(host, new Uri(url).Host);

    [Fact]
    public void Classify_ScopedLinkLocal_IsDenied() =>
        Assert.Contains("link-local", AddressClassifier.Classify(IPAddress.Parse("fe80::1%2")), StringComparison.Ordinal);
}
