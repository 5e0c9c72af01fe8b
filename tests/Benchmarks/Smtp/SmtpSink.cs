using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.Benchmarks.Smtp;

/// <summary>Told about every recipient of every message the sink accepts.</summary>
internal interface IDeliveryRecorder
{
    /// <summary>
    /// Called once per RCPT address of a completed message, with the <see cref="Stopwatch"/> timestamp at
    /// which its final "." line was received (before the 250 answer is written).
    /// </summary>
    void Record(ReadOnlySpan<byte> address, long timestamp);
}

/// <summary>
/// A lean in-process SMTP server on 127.0.0.1 (a free port) that accepts everything and keeps nothing but
/// counters and delivery times: EHLO/HELO (PIPELINING, 8BITMIME, SIZE), MAIL, RCPT, DATA, RSET, NOOP, QUIT;
/// any number of concurrent connections and of messages per connection. Pipelined commands are answered
/// in one write, after every complete line in the buffer has been handled. <see cref="Pause"/> holds every
/// reply (greetings included) until <see cref="Resume"/>, so that a client's deliveries stall. With a reply
/// delay (the slow-relay scenario), the reply to each whole message (its final ".") is written that long
/// after the "." arrived: a relay with that much latency per message.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private const int InputSize = 32 * 1024;
    private const int OutputSize = 4 * 1024;
    private const int LongestReply = 256;

    // The state of the DATA scanner: where we are relative to the terminating <CRLF>.<CRLF>.
    private const int MidLine = 0;
    private const int SawCr = 1;
    private const int LineStart = 2;
    private const int SawDot = 3;
    private const int SawDotCr = 4;

    private static readonly byte[] Greeting = "220 bench-sink ESMTP ready\r\n"u8.ToArray();
    private static readonly byte[] Ehlo = "250-bench-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 104857600\r\n"u8.ToArray();
    private static readonly byte[] Helo = "250 bench-sink\r\n"u8.ToArray();
    private static readonly byte[] Ok = "250 2.0.0 OK\r\n"u8.ToArray();
    private static readonly byte[] SenderOk = "250 2.1.0 OK\r\n"u8.ToArray();
    private static readonly byte[] RecipientOk = "250 2.1.5 OK\r\n"u8.ToArray();
    private static readonly byte[] StartData = "354 End data with <CR><LF>.<CR><LF>\r\n"u8.ToArray();
    private static readonly byte[] Queued = "250 2.0.0 OK queued\r\n"u8.ToArray();
    private static readonly byte[] Bye = "221 2.0.0 Bye\r\n"u8.ToArray();
    private static readonly byte[] NoRecipients = "554 5.5.1 No valid recipients\r\n"u8.ToArray();
    private static readonly byte[] NoSender = "503 5.5.1 MAIL first\r\n"u8.ToArray();
    private static readonly byte[] BadAddress = "501 5.1.3 Bad address syntax\r\n"u8.ToArray();
    private static readonly byte[] Unknown = "502 5.5.2 Command not implemented\r\n"u8.ToArray();
    private static readonly byte[] LineTooLong = "500 5.5.6 Line too long\r\n"u8.ToArray();

    private readonly Socket _listener;
    private readonly IDeliveryRecorder _recorder;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly Lock _gateLock = new();
    private readonly TimeSpan _replyDelay;
    private TaskCompletionSource? _paused;
    private long _messages;
    private long _bytes;
    private long _connections;
    private int _open;
    private int _peakOpen;

    /// <param name="recorder">Told about every recipient of every accepted message.</param>
    /// <param name="replyDelay">How long to wait before the reply to each whole message (zero: none).</param>
    public SmtpSink(IDeliveryRecorder recorder, TimeSpan replyDelay = default)
    {
        _recorder = recorder;
        _replyDelay = replyDelay;
        Timings = replyDelay > TimeSpan.Zero ? new SinkTimings() : null;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Messages accepted (final "." received) so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Bytes of DATA received so far (including the terminating line).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Connections accepted so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>The most connections open at once so far.</summary>
    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    /// <summary>The wait before the reply to each whole message.</summary>
    public TimeSpan ReplyDelay => _replyDelay;

    /// <summary>With a reply delay: how each connection's time between messages is spent.</summary>
    public SinkTimings? Timings { get; }

    /// <summary>
    /// From now on, no greeting is sent and no command (or DATA byte) is handled until <see cref="Resume"/>:
    /// every connection, new or already open, waits with its input unread, so nothing is received (a message
    /// whose final "." arrives during the pause is received, and timed, after the resume). Replies already
    /// being written when it is called still go out.
    /// </summary>
    public void Pause()
    {
        lock (_gateLock)
        {
            _paused ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Releases every connection held by <see cref="Pause"/>; does nothing when not paused.</summary>
    public void Resume()
    {
        TaskCompletionSource? paused;
        lock (_gateLock)
        {
            paused = _paused;
            _paused = null;
        }

        paused?.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            Interlocked.Increment(ref _connections);
            var open = Interlocked.Increment(ref _open);
            int peak;
            while (open > (peak = Volatile.Read(ref _peakOpen)) && Interlocked.CompareExchange(ref _peakOpen, open, peak) != peak)
            {
            }

            // Runs synchronously up to its first pending receive, then frees this loop.
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var connection = new Connection(ArrayPool<byte>.Shared.Rent(InputSize), ArrayPool<byte>.Shared.Rent(OutputSize));
        try
        {
            await WhilePausedAsync();
            await socket.SendAsync(Greeting, SocketFlags.None, _stop.Token);
            while (true)
            {
                // Paused: what was read stays unhandled (no reply, no receipt) until the resume.
                await WhilePausedAsync();
                var next = Process(connection);
                if (connection.OutLength > 0)
                {
                    await socket.SendAsync(connection.Output.AsMemory(0, connection.OutLength), SocketFlags.None, _stop.Token);
                    connection.OutLength = 0;
                }

                if (next == Next.Close)
                {
                    return;
                }

                if (next == Next.Flushed)
                {
                    continue;
                }

                if (next == Next.MessageReceived)
                {
                    // The replies before it are out; the one to the message waits (a slow relay).
                    await Task.Delay(_replyDelay, _stop.Token);
                    connection.RepliedAt = Stopwatch.GetTimestamp();
                    Timings?.Replied(connection.LastDotAt, connection.RepliedAt);
                    Append(connection, Queued);
                    continue;
                }

                if (connection.Start == connection.End)
                {
                    connection.Start = connection.End = 0;
                }
                else if (connection.End == connection.Input.Length)
                {
                    if (connection.Start == 0)
                    {
                        // A command line longer than the whole buffer: not SMTP we speak.
                        await socket.SendAsync(LineTooLong, SocketFlags.None, _stop.Token);
                        return;
                    }

                    Buffer.BlockCopy(connection.Input, connection.Start, connection.Input, 0, connection.End - connection.Start);
                    connection.End -= connection.Start;
                    connection.Start = 0;
                }

                var read = await socket.ReceiveAsync(connection.Input.AsMemory(connection.End), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                connection.End += read;
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the sink is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(connection.Input);
            ArrayPool<byte>.Shared.Return(connection.Output);
        }
    }

    /// <summary>Completes at once when not paused, else at the resume (or when the sink stops).</summary>
    private ValueTask WhilePausedAsync() =>
        Volatile.Read(ref _paused) is { } paused ? new ValueTask(paused.Task.WaitAsync(_stop.Token)) : ValueTask.CompletedTask;

    /// <summary>Handles every complete command (or DATA bytes) in the input buffer, queueing the replies.</summary>
    private Next Process(Connection c)
    {
        while (c.Start < c.End)
        {
            if (c.Output.Length - c.OutLength < LongestReply)
            {
                return Next.Flushed;
            }

            if (c.InData)
            {
                var span = c.Input.AsSpan(c.Start, c.End - c.Start);
                var consumed = ScanData(span, ref c.DataState, out var complete);
                c.Start += consumed;
                Interlocked.Add(ref _bytes, consumed);
                if (!complete)
                {
                    continue;
                }

                var now = Stopwatch.GetTimestamp();
                foreach (var recipient in c.Recipients)
                {
                    _recorder.Record(recipient, now);
                }

                Interlocked.Increment(ref _messages);
                if (Timings is { } timings)
                {
                    timings.Message(c.LastDotAt, c.MailAt, now);
                    c.LastDotAt = now;
                }

                c.Recipients.Clear();
                c.HasSender = false;
                c.InData = false;
                if (_replyDelay > TimeSpan.Zero)
                {
                    return Next.MessageReceived;
                }

                Append(c, Queued);
                continue;
            }

            var rest = c.Input.AsSpan(c.Start, c.End - c.Start);
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = rest[..newline];
            c.Start += newline + 1;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (Execute(c, line))
            {
                return Next.Close;
            }
        }

        return Next.Read;
    }

    /// <summary>Runs one command; true when the connection is to be closed after the replies are written.</summary>
    private bool Execute(Connection c, ReadOnlySpan<byte> line)
    {
        if (line.Length < 4)
        {
            Append(c, Unknown);
            return false;
        }

        var verb = line[..4];
        if (Ascii.EqualsIgnoreCase(verb, "RCPT"u8))
        {
            if (!c.HasSender)
            {
                Append(c, NoSender);
                return false;
            }

            var address = AddressOf(line[4..]);
            if (address.IsEmpty)
            {
                Append(c, BadAddress);
                return false;
            }

            c.Recipients.Add(address.ToArray());
            Append(c, RecipientOk);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "MAIL"u8))
        {
            if (Timings is { } timings)
            {
                var now = Stopwatch.GetTimestamp();
                timings.Mail(c.RepliedAt, now);
                c.MailAt = now;
            }

            c.Recipients.Clear();
            c.HasSender = true;
            Append(c, SenderOk);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "DATA"u8))
        {
            if (c.Recipients.Count == 0)
            {
                Append(c, NoRecipients);
                return false;
            }

            c.InData = true;
            c.DataState = LineStart;
            Append(c, StartData);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "EHLO"u8))
        {
            ResetTransaction(c);
            Append(c, Ehlo);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "HELO"u8))
        {
            ResetTransaction(c);
            Append(c, Helo);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "RSET"u8))
        {
            ResetTransaction(c);
            Append(c, Ok);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "NOOP"u8))
        {
            Append(c, Ok);
        }
        else if (Ascii.EqualsIgnoreCase(verb, "QUIT"u8))
        {
            Append(c, Bye);
            return true;
        }
        else
        {
            Append(c, Unknown);
        }

        return false;
    }

    private static void ResetTransaction(Connection c)
    {
        c.Recipients.Clear();
        c.HasSender = false;
    }

    /// <summary>The address of "TO:&lt;a@b&gt; [params]" (or of a bare "TO:a@b").</summary>
    private static ReadOnlySpan<byte> AddressOf(ReadOnlySpan<byte> argument)
    {
        var open = argument.IndexOf((byte)'<');
        if (open >= 0)
        {
            var close = argument[(open + 1)..].IndexOf((byte)'>');
            return close < 0 ? default : argument.Slice(open + 1, close);
        }

        var colon = argument.IndexOf((byte)':');
        var bare = colon < 0 ? argument : argument[(colon + 1)..];
        bare = bare.Trim((byte)' ');
        var space = bare.IndexOf((byte)' ');
        return space < 0 ? bare : bare[..space];
    }

    /// <summary>
    /// Scans DATA bytes for the terminating &lt;CRLF&gt;.&lt;CRLF&gt;; returns how many bytes belong to the
    /// message (all of them unless it ended), with <paramref name="complete"/> set when it ended.
    /// </summary>
    private static int ScanData(ReadOnlySpan<byte> data, ref int state, out bool complete)
    {
        var i = 0;
        while (i < data.Length)
        {
            if (state == MidLine)
            {
                // Fast path: jump to the next CR.
                var cr = data[i..].IndexOf((byte)'\r');
                if (cr < 0)
                {
                    complete = false;
                    return data.Length;
                }

                i += cr + 1;
                state = SawCr;
                continue;
            }

            var b = data[i++];
            state = state switch
            {
                SawCr => b == '\n' ? LineStart : b == '\r' ? SawCr : MidLine,
                LineStart => b == '.' ? SawDot : b == '\r' ? SawCr : MidLine,
                SawDot => b == '\r' ? SawDotCr : MidLine,
                _ /* SawDotCr */ => b == '\n' ? -1 : b == '\r' ? SawCr : MidLine,
            };
            if (state == -1)
            {
                state = MidLine;
                complete = true;
                return i;
            }
        }

        complete = false;
        return data.Length;
    }

    private static void Append(Connection c, byte[] reply)
    {
        Buffer.BlockCopy(reply, 0, c.Output, c.OutLength, reply.Length);
        c.OutLength += reply.Length;
    }

    private enum Next
    {
        Read,
        Flushed,
        Close,

        /// <summary>A message ended and its reply is to be delayed: write what is queued, wait, then reply.</summary>
        MessageReceived,
    }

    private sealed class Connection(byte[] input, byte[] output)
    {
        public byte[] Input { get; } = input;

        public byte[] Output { get; } = output;

        public List<byte[]> Recipients { get; } = new(2);

        public int Start { get; set; }

        public int End { get; set; }

        public int OutLength { get; set; }

        public bool InData { get; set; }

        public bool HasSender { get; set; }

        /// <summary>A field, so that the scanner can update it by reference.</summary>
        public int DataState;

        /// <summary>With a reply delay: when the last reply to a message went out, its MAIL arrived, its final "." arrived (0: none yet).</summary>
        public long RepliedAt { get; set; }

        public long MailAt { get; set; }

        public long LastDotAt { get; set; }
    }
}

/// <summary>
/// Where a slow relay's connection spends its time between two messages (milliseconds, per connection):
/// the cycle from one message's final "." to the next one's; within it, the relay's own reply delay, then
/// the client's gap from that reply to its next MAIL FROM (its work between messages), then MAIL FROM to the
/// final "." (the envelope's round trip and the message's bytes).
/// </summary>
internal sealed class SinkTimings
{
    private readonly Lock _lock = new();
    private readonly List<double> _cycles = [];
    private readonly List<double> _gaps = [];
    private readonly List<double> _transactions = [];
    private readonly List<double> _delays = [];

    /// <summary>The relay's actual wait: the final "." to its reply (a timer's wait is a little longer than asked).</summary>
    public void Replied(long dotAt, long repliedAt)
    {
        lock (_lock)
        {
            _delays.Add(Clock.Ms(dotAt, repliedAt));
        }
    }

    public void Mail(long repliedAt, long now)
    {
        if (repliedAt == 0)
        {
            return;
        }

        lock (_lock)
        {
            _gaps.Add(Clock.Ms(repliedAt, now));
        }
    }

    public void Message(long lastDotAt, long mailAt, long now)
    {
        lock (_lock)
        {
            if (lastDotAt != 0)
            {
                _cycles.Add(Clock.Ms(lastDotAt, now));
            }

            if (mailAt != 0)
            {
                _transactions.Add(Clock.Ms(mailAt, now));
            }
        }
    }

    public SinkTimingSummary Summary()
    {
        lock (_lock)
        {
            return new SinkTimingSummary(
                Mean(_cycles), LatencySummary.Of([.. _cycles], _cycles.Count),
                Mean(_delays), LatencySummary.Of([.. _delays], _delays.Count),
                Mean(_gaps), LatencySummary.Of([.. _gaps], _gaps.Count),
                Mean(_transactions), LatencySummary.Of([.. _transactions], _transactions.Count));
        }
    }

    private static double? Mean(List<double> values) => values.Count == 0 ? null : Math.Round(values.Average(), 2);
}

/// <summary>See <see cref="SinkTimings"/>; means and percentiles in milliseconds.</summary>
internal sealed record SinkTimingSummary(
    double? CycleMeanMs,
    LatencySummary CycleMs,
    double? ReplyDelayMeanMs,
    LatencySummary ReplyDelayMs,
    double? ReplyToNextMailMeanMs,
    LatencySummary ReplyToNextMailMs,
    double? MailToFinalDotMeanMs,
    LatencySummary MailToFinalDotMs);
