using System.Globalization;

namespace ActionConnections.Connections;

/// <summary>
/// Timestamps as the real service writes them: Go's <c>time.Time.String()</c> in UTC, e.g.
/// <c>2026-07-13 13:25:37.4346 +0000 UTC</c> (fraction without trailing zeros, none if zero).
/// </summary>
internal static class GoTime
{
    /// <summary>The format of a fraction of N digits, leading zeros kept, at index N.</summary>
    private static readonly string[] FractionFormats = ["", "0", "00", "000", "0000", "00000", "000000", "0000000"];

    public static string Format(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var fraction = (int)(utc.Ticks % TimeSpan.TicksPerSecond);
        var digits = 7;
        while (fraction != 0 && fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        // "yyyy-MM-dd HH:mm:ss" + ("." + digits when there is a fraction) + " +0000 UTC"
        var length = 19 + (fraction == 0 ? 0 : 1 + digits) + 10;
        return string.Create(length, (utc, fraction, digits), static (span, state) =>
        {
            var (utc, fraction, digits) = state;
            utc.TryFormat(span, out var written, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            if (fraction != 0)
            {
                span[written++] = '.';
                fraction.TryFormat(span[written..], out _, FractionFormats[digits], CultureInfo.InvariantCulture);
                written += digits;
            }

            " +0000 UTC".CopyTo(span[written..]);
        });
    }
}
