using System.Globalization;

namespace ActionConnections.Connections;

/// <summary>
/// Timestamps as the real service writes them: Go's <c>time.Time.String()</c> in UTC, e.g.
/// <c>2026-07-13 13:25:37.4346 +0000 UTC</c> (fraction without trailing zeros, none if zero).
/// </summary>
internal static class GoTime
{
    public static string Format(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0');
        var seconds = utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return fraction.Length == 0 ? $"{seconds} +0000 UTC" : $"{seconds}.{fraction} +0000 UTC";
    }
}
