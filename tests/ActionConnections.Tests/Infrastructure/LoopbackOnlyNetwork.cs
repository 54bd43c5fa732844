using System.Net.NetworkInformation;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// Tests in which the server sends requests out must not be able to reach anything but this
/// machine's loopback, even when the code under test is wrong (a guard that lets
/// 169.254.169.254 or a vendor's real host through). <c>scripts/test.sh</c> runs the suites in a
/// network namespace with only <c>lo</c> up (<c>unshare -n</c>, then <c>ip link set lo up</c>);
/// by hand: <c>unshare -n sh -c 'ip link set lo up &amp;&amp; dotnet test …'</c>.
/// </summary>
internal static class LoopbackOnlyNetwork
{
    /// <summary>Fails the test unless every network interface other than loopback is absent or down.</summary>
    public static void EnsureIsolated()
    {
        var open = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback && i.OperationalStatus != OperationalStatus.Down)
            .Select(i => $"{i.Name} ({i.OperationalStatus})")
            .ToList();
        Assert.True(
            open.Count == 0,
            $"This test makes the server send requests and must run where only loopback is up, so nothing can leave the machine; "
            + $"interfaces up: {string.Join(", ", open)}. Run it through scripts/test.sh, or: unshare -n sh -c 'ip link set lo up && dotnet test …'");
    }
}
