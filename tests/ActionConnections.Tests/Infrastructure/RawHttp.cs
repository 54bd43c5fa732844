using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a plain socket, byte for byte: for what <see cref="HttpClient"/> will not send
/// (invalid UTF-8 in the request line or headers, dot segments, oversized lines, malformed
/// framing). One request per connection (<c>Connection: close</c>).
/// </summary>
internal static class RawHttp
{
    /// <summary>Latin-1 maps each char 0–255 to one byte, so a string can carry any byte sequence.</summary>
    public static readonly Encoding Bytes = Encoding.Latin1;

    /// <summary>
    /// A request as a client would frame it: request line, <c>Host</c>, the given headers, then the
    /// body with <c>Content-Length</c> (or chunked, or with <c>Expect: 100-continue</c>).
    /// </summary>
    public static RawRequest Build(
        Uri server,
        string method,
        string target,
        IEnumerable<(string Name, string Value)> headers,
        byte[]? body = null,
        bool chunked = false,
        bool expectContinue = false)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Host: {server.Host}:{server.Port}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (body is not null)
        {
            head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n"));
            if (expectContinue)
            {
                head.Append("Expect: 100-continue\r\n");
            }
        }

        head.Append("Connection: close\r\n\r\n");
        var payload = body is null ? [] : chunked ? Chunk(body) : body;
        return new RawRequest(Bytes.GetBytes(head.ToString()), payload, expectContinue && body is not null, method == "HEAD");
    }

    /// <summary>Exactly these bytes, nothing added (for malformed framing).</summary>
    public static RawRequest Verbatim(byte[] bytes, bool head = false) => new(bytes, [], false, head);

    public static async Task<RawResponse> SendAsync(Uri server, RawRequest request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var received = new MemoryStream();
        await WriteQuietlyAsync(stream, request.Head, cancellationToken);
        if (request.ExpectContinue)
        {
            // As clients do: the body goes only after "100 Continue"; a final answer comes instead
            // when the server refuses the request without reading its body.
            await ReadUntilAsync(stream, received, r => HeadEnd(r) >= 0, cancellationToken);
            var interim = received.ToArray();
            if (StartsWith100(interim))
            {
                received.SetLength(0);
                received.Write(interim, HeadEnd(interim) + 4, interim.Length - HeadEnd(interim) - 4);
                await WriteQuietlyAsync(stream, request.Body, cancellationToken);
            }
        }
        else
        {
            await WriteQuietlyAsync(stream, request.Body, cancellationToken);
        }

        // Until the server closes, or a whole response is in: a request the server took as valid
        // despite its oddities may leave the connection open.
        await ReadUntilAsync(stream, received, r => RawResponse.IsComplete(r, request.IsHead), cancellationToken);
        return RawResponse.Parse(received.ToArray(), request.IsHead);
    }

    private const int ChunkSize = 64 * 1024;

    /// <summary>How many bytes <paramref name="contentLength"/> bytes take on the wire when chunked as <see cref="Build"/> does.</summary>
    public static int ChunkedLength(int contentLength)
    {
        var length = contentLength + "0\r\n\r\n".Length;
        for (var offset = 0; offset < contentLength; offset += ChunkSize)
        {
            length += Math.Min(ChunkSize, contentLength - offset).ToString("x", CultureInfo.InvariantCulture).Length + 4;
        }

        return length;
    }

    private static byte[] Chunk(byte[] body)
    {
        var output = new MemoryStream();
        const int Size = ChunkSize;
        for (var offset = 0; offset < body.Length; offset += Size)
        {
            var length = Math.Min(Size, body.Length - offset);
            output.Write(Bytes.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{length:x}\r\n")));
            output.Write(body, offset, length);
            output.Write("\r\n"u8);
        }

        output.Write("0\r\n\r\n"u8);
        return output.ToArray();
    }

    /// <summary>A server that answers early (413, 431…) may close before the request is sent; the answer is still read.</summary>
    private static async Task WriteQuietlyAsync(NetworkStream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Reads until <paramref name="done"/>, the end of the stream, or a reset (what arrived before it is kept).</summary>
    private static async Task ReadUntilAsync(NetworkStream stream, MemoryStream received, Func<byte[], bool>? done, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (done is null || !done(received.ToArray()))
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            received.Write(buffer, 0, read);
        }
    }

    internal static int HeadEnd(byte[] bytes) => bytes.AsSpan().IndexOf("\r\n\r\n"u8);

    private static bool StartsWith100(byte[] bytes) => bytes.AsSpan().StartsWith("HTTP/1.1 100"u8);
}

/// <summary>Bytes to send: the head, then the body (after <c>100 Continue</c> when asked for).</summary>
internal sealed record RawRequest(byte[] Head, byte[] Body, bool ExpectContinue, bool IsHead)
{
    public int Length => Head.Length + Body.Length;
}

/// <summary>A response as it came off the wire; <see cref="Status"/> is 0 when nothing parseable arrived.</summary>
internal sealed class RawResponse
{
    private RawResponse(int status, IReadOnlyList<string> headerLines, Dictionary<string, string> headers, byte[] body, int rawLength)
    {
        Status = status;
        HeaderLines = headerLines;
        Headers = headers;
        Body = body;
        RawLength = rawLength;
    }

    public int Status { get; }

    /// <summary>The status line and header lines as they came, in order.</summary>
    public IReadOnlyList<string> HeaderLines { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public byte[] Body { get; }

    public int RawLength { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value.Split(';')[0].Trim() : null;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>True when <paramref name="bytes"/> hold a whole response whose length is known (by Content-Length or the last chunk).</summary>
    public static bool IsComplete(byte[] bytes, bool isHead)
    {
        var headEnd = RawHttp.HeadEnd(bytes);
        if (headEnd < 0)
        {
            return false;
        }

        var head = RawHttp.Bytes.GetString(bytes, 0, headEnd);
        var rest = bytes.Length - headEnd - 4;
        if (isHead || head.StartsWith("HTTP/1.1 204", StringComparison.Ordinal) || head.StartsWith("HTTP/1.1 1", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return rest >= int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }

            if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return bytes.AsSpan(headEnd + 4).EndsWith("0\r\n\r\n"u8);
            }
        }

        return false;
    }

    public static RawResponse Parse(byte[] bytes, bool isHead)
    {
        var headEnd = RawHttp.HeadEnd(bytes);
        if (headEnd < 0)
        {
            return new RawResponse(0, [], [], bytes, bytes.Length);
        }

        var lines = RawHttp.Bytes.GetString(bytes, 0, headEnd).Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        var status = statusParts.Length >= 2 && int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out var existing) ? $"{existing},{value}" : value;
            }
        }

        var rest = bytes.AsSpan(headEnd + 4);
        byte[] body;
        if (isHead || status is 204 or 304)
        {
            body = [];
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(rest);
        }
        else if (headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            body = rest[..Math.Min(length, rest.Length)].ToArray();
        }
        else
        {
            body = rest.ToArray();
        }

        return new RawResponse(status, lines, headers, body, bytes.Length);
    }

    public override string ToString()
    {
        var text = BodyText;
        return $"{Status} {ContentType} {(text.Length > 400 ? text[..400] + "…" : text)}";
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> bytes)
    {
        var output = new MemoryStream();
        while (true)
        {
            var lineEnd = bytes.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = RawHttp.Bytes.GetString(bytes[..lineEnd]).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0)
            {
                break;
            }

            bytes = bytes[(lineEnd + 2)..];
            var take = Math.Min(size, bytes.Length);
            output.Write(bytes[..take]);
            bytes = bytes[Math.Min(bytes.Length, take + 2)..];
        }

        return output.ToArray();
    }
}
