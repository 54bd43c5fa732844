using System.Globalization;
using System.Text;

namespace ActionConnections.Http;

/// <summary>
/// Request-derived text (a path, a method, a header, a name) as it may appear in a log line:
/// quoted, with every control character (CR, LF, ESC and the rest of C0 and C1, DEL), the line
/// and paragraph separators and bidirectional overrides escaped as <c>\uXXXX</c>, and bounded
/// in length. A client can then neither forge a log line (<c>%0d%0a</c>) nor send terminal
/// escapes (<c>%1b[</c>) to whoever reads the log (issue 11, item 3).
/// </summary>
internal static class LogText
{
    /// <summary>Characters of the value kept before it is cut (and marked with <c>…</c>).</summary>
    public const int MaxLength = 256;

    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(Math.Min(value.Length, MaxLength) + 2);
        builder.Append('"');
        var length = Math.Min(value.Length, MaxLength);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (NeedsEscape(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (value.Length > MaxLength)
        {
            builder.Append('…');
        }

        return builder.Append('"').ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format;
}
