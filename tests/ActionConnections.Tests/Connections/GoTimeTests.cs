using ActionConnections.Connections;

namespace ActionConnections.Tests.Connections;

/// <summary>Timestamps in Go's <c>time.Time.String()</c> form, as the recordings show them.</summary>
public sealed class GoTimeTests
{
    [Theory]
    [InlineData(0L, "2026-07-13 13:25:37 +0000 UTC")]
    [InlineData(4_346_000L, "2026-07-13 13:25:37.4346 +0000 UTC")]
    [InlineData(1L, "2026-07-13 13:25:37.0000001 +0000 UTC")]
    [InlineData(1_000_000L, "2026-07-13 13:25:37.1 +0000 UTC")]
    [InlineData(9_999_999L, "2026-07-13 13:25:37.9999999 +0000 UTC")]
    [InlineData(50_000L, "2026-07-13 13:25:37.005 +0000 UTC")]
    public void Format_TrimsTrailingZerosOfTheFraction(long ticks, string expected)
    {
        var time = new DateTimeOffset(2026, 7, 13, 13, 25, 37, TimeSpan.Zero).AddTicks(ticks);

        Assert.Equal(expected, GoTime.Format(time));
    }

    [Fact]
    public void Format_WritesUtcWhateverTheOffset()
    {
        var time = new DateTimeOffset(2026, 7, 13, 15, 25, 37, TimeSpan.FromHours(2)).AddTicks(4_346_000);

        Assert.Equal("2026-07-13 13:25:37.4346 +0000 UTC", GoTime.Format(time));
    }
}
