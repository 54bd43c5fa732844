using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActionConnections.HttpRequests;

/// <summary>
/// Replaces every form in which a connection's secrets may come back (as sent, JSON-escaped,
/// URL-encoded, and the base64 of a Basic-auth pair) by <c>***</c> in an upstream's headers and
/// body, so an upstream that echoes its request (or a hostile one) cannot hand a secret to a
/// caller who may only use it.
/// </summary>
internal sealed class ResponseRedactor
{
    private static readonly byte[] Mask = "***"u8.ToArray();

    private readonly string[] _needles;
    private readonly byte[][] _byteNeedles;

    public ResponseRedactor(IEnumerable<string> secrets, IEnumerable<string> encodedForms)
    {
        var needles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets.Where(s => s.Length > 0))
        {
            needles.Add(secret);
            needles.Add(JsonEncodedText.Encode(secret, JavaScriptEncoder.Default).Value);
            needles.Add(JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
            needles.Add(Uri.EscapeDataString(secret));
        }

        foreach (var form in encodedForms.Where(s => s.Length > 0))
        {
            needles.Add(form);
        }

        // Longest first, so a secret that contains another is masked whole.
        _needles = [.. needles.OrderByDescending(n => n.Length)];
        _byteNeedles = [.. _needles.Select(Encoding.UTF8.GetBytes)];
    }

    public string Redact(string text)
    {
        foreach (var needle in _needles)
        {
            text = text.Replace(needle, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>
    /// Masks the body's bytes. A body cut at the size cap may end inside a secret: a tail that
    /// is the start of any secret is dropped too, so no prefix of one gets out either.
    /// </summary>
    public byte[] Redact(byte[] body, bool truncated)
    {
        foreach (var needle in _byteNeedles)
        {
            body = Replace(body, needle);
        }

        if (truncated)
        {
            var cut = 0;
            foreach (var needle in _byteNeedles)
            {
                for (var length = Math.Min(needle.Length - 1, body.Length); length > cut; length--)
                {
                    if (body.AsSpan(body.Length - length).SequenceEqual(needle.AsSpan(0, length)))
                    {
                        cut = length;
                        break;
                    }
                }
            }

            body = cut > 0 ? body[..^cut] : body;
        }

        return body;
    }

    private static byte[] Replace(byte[] body, byte[] needle)
    {
        var at = body.AsSpan().IndexOf(needle);
        if (at < 0)
        {
            return body;
        }

        using var output = new MemoryStream(body.Length);
        var rest = body.AsSpan();
        while (at >= 0)
        {
            output.Write(rest[..at]);
            output.Write(Mask);
            rest = rest[(at + needle.Length)..];
            at = rest.IndexOf(needle);
        }

        output.Write(rest);
        return output.ToArray();
    }
}
