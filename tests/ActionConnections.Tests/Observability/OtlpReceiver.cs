using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ActionConnections.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.Observability;

/// <summary>
/// An OTLP/HTTP receiver on a loopback port, as a collector would run: it keeps every request
/// body it is sent (for byte searches) and decodes the spans of <c>/v1/traces</c> with a minimal
/// protobuf reader of the OTLP trace messages.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly LoopbackListener _listener;

    private OtlpReceiver(LoopbackListener listener) => _listener = listener;

    public Uri Endpoint => _listener.BaseAddress;

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    /// <summary>Trace batches the decoder could not read (a test fails on them, naming why).</summary>
    public ConcurrentQueue<string> DecodeErrors { get; } = new();

    /// <summary>Every body received, by path (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>).</summary>
    public ConcurrentQueue<(string Path, byte[] Body)> Bodies { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        OtlpReceiver? receiver = null;
        var listener = await LoopbackListener.StartAsync(app => app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            receiver!.Bodies.Enqueue((context.Request.Path.Value!, body));
            if (signal == "traces")
            {
                try
                {
                    foreach (var span in TraceDecoder.Decode(body))
                    {
                        receiver.Spans.Enqueue(span);
                    }
                }
                catch (InvalidDataException e)
                {
                    // Kept for the test's failure message: a batch we cannot read is not a batch that never came.
                    receiver.DecodeErrors.Enqueue(e.Message);
                }
            }

            // An empty Export*ServiceResponse: full success.
            return Results.Bytes([], "application/x-protobuf");
        }));
        receiver = new OtlpReceiver(listener);
        return receiver;
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the spans received, or fails with what arrived.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Spans.ToList();
            if (condition(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The spans expected did not arrive within {timeout}. Undecodable batches: {DecodeErrors.Count} ({string.Join("; ", DecodeErrors.Distinct())}). Received:\n{string.Join('\n', spans)}");
            }

            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}

internal sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope, IReadOnlyDictionary<string, string> Attributes)
{
    public override string ToString() =>
        $"{Scope}: {Name} trace={TraceId} span={SpanId} parent={ParentSpanId} {string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}";
}

/// <summary>
/// Reads <c>ExportTraceServiceRequest</c> (opentelemetry/proto/collector/trace/v1): resource_spans(1) →
/// scope_spans(2) → scope(1).name(1), spans(2) → trace_id(1), span_id(2), parent_span_id(4),
/// name(5), kind(6), attributes(9) → key(1), value(2) → AnyValue. Fields it does not need are skipped.
/// </summary>
internal static class TraceDecoder
{
    public static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Messages(request))
        {
            if (field != 1)
            {
                continue;
            }

            foreach (var (scopeField, scopeSpans) in Messages(resourceSpans))
            {
                if (scopeField != 2)
                {
                    continue;
                }

                var scope = string.Empty;
                foreach (var (f, value) in Messages(scopeSpans))
                {
                    if (f == 1)
                    {
                        scope = Messages(value).Where(m => m.Field == 1).Select(m => Encoding.UTF8.GetString(m.Value)).FirstOrDefault() ?? string.Empty;
                    }
                    else if (f == 2)
                    {
                        spans.Add(ReadSpan(value, scope));
                    }
                }
            }
        }

        return spans;
    }

    private static ReceivedSpan ReadSpan(byte[] span, string scope)
    {
        string traceId = string.Empty, spanId = string.Empty, parent = string.Empty, name = string.Empty;
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new ProtoReader(span);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): traceId = Convert.ToHexStringLower(reader.Bytes()); break;
                case (2, 2): spanId = Convert.ToHexStringLower(reader.Bytes()); break;
                case (4, 2): parent = Convert.ToHexStringLower(reader.Bytes()); break;
                case (5, 2): name = Encoding.UTF8.GetString(reader.Bytes()); break;
                case (6, 0): kind = (int)reader.Varint(); break;
                case (9, 2):
                    var (key, value) = ReadAttribute(reader.Bytes());
                    attributes[key] = value;
                    break;
                default: reader.Skip(wireType); break;
            }
        }

        return new ReceivedSpan(traceId, spanId, parent, name, kind, scope, attributes);
    }

    private static (string Key, string Value) ReadAttribute(byte[] keyValue)
    {
        string key = string.Empty, value = string.Empty;
        foreach (var (field, bytes) in Messages(keyValue))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(bytes);
            }
            else if (field == 2)
            {
                value = AnyValue(bytes);
            }
        }

        return (key, value);
    }

    private static string AnyValue(byte[] anyValue)
    {
        var reader = new ProtoReader(anyValue);
        while (reader.Next(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, 2): return Encoding.UTF8.GetString(reader.Bytes());
                case (2, 0): return reader.Varint() != 0 ? "true" : "false";
                case (3, 0): return ((long)reader.Varint()).ToString(CultureInfo.InvariantCulture);
                case (4, 1): return BitConverter.Int64BitsToDouble((long)reader.Fixed64()).ToString(CultureInfo.InvariantCulture);
                case (_, 2): return Encoding.UTF8.GetString(reader.Bytes());
                default: reader.Skip(wireType); break;
            }
        }

        return string.Empty;
    }

    /// <summary>The length-delimited fields of a message (sub-messages, strings, bytes), in order.</summary>
    private static List<(int Field, byte[] Value)> Messages(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var reader = new ProtoReader(message);
        while (reader.Next(out var field, out var wireType))
        {
            if (wireType == 2)
            {
                fields.Add((field, reader.Bytes()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return fields;
    }

    private sealed class ProtoReader(byte[] buffer)
    {
        private int _position;

        public bool Next(out int field, out int wireType)
        {
            if (_position >= buffer.Length)
            {
                field = wireType = 0;
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = buffer[_position++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }
        }

        public ulong Fixed64()
        {
            var value = BitConverter.ToUInt64(buffer, _position);
            _position += 8;
            return value;
        }

        public byte[] Bytes()
        {
            var length = (int)Varint();
            var bytes = buffer.AsSpan(_position, length).ToArray();
            _position += length;
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: Varint(); break;
                case 1: _position += 8; break;
                case 2:
                    // Read the length first: "_position += Varint()" would add it to the position
                    // from before the length's own bytes (C# reads the left operand first).
                    var length = (int)Varint();
                    _position += length;
                    break;
                case 5: _position += 4; break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {wireType}.");
            }
        }
    }
}
