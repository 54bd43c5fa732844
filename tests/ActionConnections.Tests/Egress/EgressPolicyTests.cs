using System.Net;
using ActionConnections.Egress;

namespace ActionConnections.Tests.Egress;

public sealed class EgressPolicyTests
{
    [Fact]
    public void Check_EmptySettings_DeniesLoopbackAndPlainHttp()
    {
        var policy = new EgressPolicy(null, null);

        Assert.StartsWith("127.0.0.1 is loopback", policy.Check("127.0.0.1", IPAddress.Loopback, secure: true), StringComparison.Ordinal);
        Assert.StartsWith("localhost (::1) is loopback", policy.Check("localhost", IPAddress.IPv6Loopback, secure: true), StringComparison.Ordinal);
        Assert.Contains("plain http", policy.Check("example.com", IPAddress.Parse("93.184.215.14"), secure: false), StringComparison.Ordinal);
        Assert.Null(policy.Check("example.com", IPAddress.Parse("93.184.215.14"), secure: true));
    }

    [Fact]
    public void Check_AllowedCidr_AllowsDeniedRangeAndPlainHttp()
    {
        var policy = new EgressPolicy("10.20.0.0/16, 127.0.0.1", null);

        Assert.Null(policy.Check("10.20.3.4", IPAddress.Parse("10.20.3.4"), secure: false));
        Assert.Null(policy.Check("127.0.0.1", IPAddress.Loopback, secure: false));
        Assert.Null(policy.Check("127.0.0.1", IPAddress.Parse("::ffff:127.0.0.1"), secure: false));
        Assert.NotNull(policy.Check("10.21.0.1", IPAddress.Parse("10.21.0.1"), secure: true));
        Assert.NotNull(policy.Check("::1", IPAddress.IPv6Loopback, secure: true));
    }

    [Fact]
    public void Check_AllowedHostName_AllowsItsAddressesOnly()
    {
        var policy = new EgressPolicy("gitlab.internal", null);

        Assert.Null(policy.Check("GitLab.Internal.", IPAddress.Parse("10.0.0.5"), secure: false));
        Assert.NotNull(policy.Check("other.internal", IPAddress.Parse("10.0.0.5"), secure: true));
        Assert.True(policy.IsAllowedHost("gitlab.internal"));
    }

    [Fact]
    public void Check_DenyWinsOverAllow()
    {
        var policy = new EgressPolicy("10.0.0.0/8", "10.1.0.0/16, evil.example");

        Assert.Null(policy.Check("10.2.0.1", IPAddress.Parse("10.2.0.1"), secure: true));
        Assert.Contains("ACTIONCONNECTIONS_EGRESS_DENY", policy.Check("10.1.0.1", IPAddress.Parse("10.1.0.1"), secure: true), StringComparison.Ordinal);
        Assert.Contains("ACTIONCONNECTIONS_EGRESS_DENY", policy.Check("evil.example", IPAddress.Parse("93.184.215.14"), secure: true), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("300.1.1.1/32")]
    [InlineData("not a host")]
    [InlineData("http://x")]
    public void Validate_BadEntry_NamesIt(string value) =>
        Assert.Contains($"'{value}'", EgressPolicy.Validate(value, "ACTIONCONNECTIONS_EGRESS_ALLOW"), StringComparison.Ordinal);
}
