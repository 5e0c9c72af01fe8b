using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// A fast real SMTP server on 127.0.0.1 that accepts everything and records what it received: each
/// message's Message-ID with the moment its final dot arrived, and how many SMTP transactions (from
/// MAIL FROM to the reply to the final dot) were open at once. It can wait before each reply to a whole
/// message (a slow relay).
/// </summary>
public sealed class RecordingSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string MessageId, DateTimeOffset At)> _received = new();
    private int _open;
    private int _maxOpen;

    public RecordingSmtpServer(TimeSpan? replyDelay = null)
    {
        ReplyDelay = replyDelay ?? TimeSpan.Zero;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How long the server waits before answering each whole message.</summary>
    public TimeSpan ReplyDelay { get; }

    /// <summary>Every message received whole, in order of arrival (a message sent twice appears twice).</summary>
    public IReadOnlyList<(string MessageId, DateTimeOffset At)> Received => [.. _received];

    /// <summary>SMTP transactions open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>The most SMTP transactions that were open at once.</summary>
    public int MaxOpen => Volatile.Read(ref _maxOpen);

    /// <summary>Waits until at least <paramref name="count"/> messages were received whole.</summary>
    public async Task WaitForReceivedAsync(int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (_received.Count < count)
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"The server received {_received.Count} message(s) within {timeout}, expected {count}.");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var inTransaction = false;
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 recording.example.com ESMTP");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    switch (line.Split(' ', 2)[0].ToUpperInvariant())
                    {
                        case "EHLO":
                        case "HELO":
                            await writer.WriteLineAsync("250 recording.example.com");
                            break;
                        case "MAIL":
                            if (!inTransaction)
                            {
                                inTransaction = true;
                                var open = Interlocked.Increment(ref _open);
                                InterlockedMax(ref _maxOpen, open);
                            }

                            await writer.WriteLineAsync("250 2.1.0 OK");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                            string? messageId = null;
                            while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                            {
                                if (messageId is null && data.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))
                                {
                                    messageId = data["Message-ID:".Length..].Trim().Trim('<', '>');
                                }
                            }

                            _received.Enqueue((messageId ?? string.Empty, DateTimeOffset.UtcNow));
                            if (ReplyDelay > TimeSpan.Zero)
                            {
                                await Task.Delay(ReplyDelay, _stop.Token);
                            }

                            await writer.WriteLineAsync("250 2.0.0 Ok: queued as REC" + _received.Count);
                            inTransaction = false;
                            Interlocked.Decrement(ref _open);
                            break;
                        case "RSET":
                            if (inTransaction)
                            {
                                inTransaction = false;
                                Interlocked.Decrement(ref _open);
                            }

                            await writer.WriteLineAsync("250 OK");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 Bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 OK");
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away.
            }
            finally
            {
                if (inTransaction)
                {
                    Interlocked.Decrement(ref _open);
                }
            }
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
