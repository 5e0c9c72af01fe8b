using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.IntegrationTests.Support;

/// <summary>One span as an OTLP exporter sent it: ids as lowercase hex, its scope (the instrumentation's name) and string/int attributes.</summary>
public sealed record ReceivedSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    public const int Internal = 1;
    public const int Server = 2;
    public const int Client = 3;
}

/// <summary>
/// A real OTLP/HTTP receiver on a loopback socket: accepts <c>POST /v1/traces</c> (and answers the
/// exporter's metrics and logs with 200), and decodes the protobuf <c>ExportTraceServiceRequest</c>
/// itself. The OTLP protobuf types are not on the package registry this project builds from
/// (OpenTelemetry.Proto is not served), and the few fields a test reads need only the wire format:
/// varints and length-delimited fields, read below in forty lines.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>The paths of every request received (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>).</summary>
    public IReadOnlyList<string> Paths => [.. _paths];

    /// <summary>Waits until the spans of <paramref name="traceId"/> satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<ReceivedSpan>, bool> done, TimeSpan timeout)
    {
        List<ReceivedSpan> trace = [];
        await WaitUntilAsync(() => done(trace = [.. Spans.Where(s => s.TraceId == traceId)]), timeout, () => $"Trace {traceId} incomplete after {timeout}: "
            + string.Join(", ", trace.Select(s => $"{s.Scope}/{s.Name}")) + $" ({Spans.Count} spans in all, requests to {string.Join(" ", Paths.Distinct())})");
        return trace;
    }

    /// <summary>Waits until a request to <paramref name="path"/> has arrived (exports run on their own timers).</summary>
    public Task WaitForPathAsync(string path, TimeSpan timeout) =>
        WaitUntilAsync(() => Paths.Contains(path), timeout, () => $"No request to {path} after {timeout}; requests to {string.Join(" ", Paths.Distinct())}.");

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure());
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
        }

        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var path = context.Request.Url?.AbsolutePath ?? "";
            _paths.Enqueue(path);
            if (path == "/v1/traces")
            {
                foreach (var span in DecodeTraces(body.ToArray()))
                {
                    _spans.Enqueue(span);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest → resource_spans (1) → scope_spans (2) → scope (1).name (1), spans (2).</summary>
    private static IEnumerable<ReceivedSpan> DecodeTraces(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                var scope = Fields(scopeSpans.Bytes).Where(f => f.Number == 1)
                    .Select(s => Text(Fields(s.Bytes).FirstOrDefault(f => f.Number == 1).Bytes)).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    yield return DecodeSpan(span.Bytes ?? [], scope);
                }
            }
        }
    }

    /// <summary>Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, attributes 9 (KeyValue), links 13.</summary>
    private static ReceivedSpan DecodeSpan(byte[] span, string scope)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        var links = new List<(string, string)>();
        foreach (var field in Fields(span))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes ?? []); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes ?? []); break;
                case 4: parent = Convert.ToHexStringLower(field.Bytes ?? []); break;
                case 5: name = Text(field.Bytes); break;
                case 6: kind = (int)field.Varint; break;
                case 9:
                    var pair = Fields(field.Bytes).ToList();
                    var key = Text(pair.FirstOrDefault(f => f.Number == 1).Bytes);
                    var value = pair.FirstOrDefault(f => f.Number == 2).Bytes;
                    // AnyValue: string_value 1, int_value 3 (the types the tests read).
                    var any = value is null ? [] : Fields(value).ToList();
                    attributes[key] = any.FirstOrDefault(f => f.Number == 1) is { Bytes: { } text } ? Text(text)
                        : any.FirstOrDefault(f => f.Number == 3) is { WireType: 0 } number ? ((long)number.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : "";
                    break;
                case 13:
                    var link = Fields(field.Bytes).ToList();
                    links.Add((Convert.ToHexStringLower(link.First(f => f.Number == 1).Bytes!), Convert.ToHexStringLower(link.First(f => f.Number == 2).Bytes!)));
                    break;
                default: break;
            }
        }

        return new ReceivedSpan(traceId, spanId, parent, name, kind, scope, attributes, links);
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    private readonly record struct Field(int Number, int WireType, ulong Varint, byte[]? Bytes);

    /// <summary>The fields of one protobuf message: wire types 0 (varint), 1 (fixed64), 2 (length-delimited) and 5 (fixed32).</summary>
    private static List<Field> Fields(byte[]? message)
    {
        var fields = new List<Field>();
        var at = 0;
        while (message is not null && at < message.Length)
        {
            var tag = ReadVarint(message, ref at);
            var (number, wireType) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wireType)
            {
                case 0:
                    fields.Add(new Field(number, 0, ReadVarint(message, ref at), null));
                    break;
                case 1:
                    fields.Add(new Field(number, 1, BitConverter.ToUInt64(message, at), null));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    fields.Add(new Field(number, 2, 0, message[at..(at + length)]));
                    at += length;
                    break;
                case 5:
                    fields.Add(new Field(number, 5, BitConverter.ToUInt32(message, at), null));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {wireType} at byte {at}.");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
