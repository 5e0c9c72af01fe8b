using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// A small real SMTP server on 127.0.0.1 whose answers the test chooses, for the replies MailDev never
/// gives (450 "try later", 550 "no such user" for one address, a 421 greeting, a queue id in the reply
/// to the message), optionally after a delay before every reply. It counts the messages it accepted,
/// the <c>MAIL FROM</c> commands and the connections (open now, most open at once), records each message
/// received with its accepted recipients, and can hold its answer to each whole message until the test
/// releases it.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _acceptedWaiters = [];
    private TaskCompletionSource _replies = Released();
    private readonly ConcurrentQueue<ReceivedMessage> _received = new();
    private int _accepted;
    private int _connections;
    private int _openConnections;
    private int _maxOpenConnections;
    private int _mailFrom;

    public ScriptedSmtpServer()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The reply to every RCPT TO without one of its own in <see cref="RecipientReplies"/>; <c>250 OK</c> accepts.</summary>
    public string RecipientReply { get; set; } = "250 OK";

    /// <summary>The reply to RCPT TO for particular addresses (compared case-insensitively).</summary>
    public ConcurrentDictionary<string, string> RecipientReplies { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The first line a client gets; a 4xx or 5xx greeting is followed by closing the connection.</summary>
    public string Greeting { get; set; } = "220 scripted.example.com ESMTP";

    /// <summary>The reply to MAIL FROM.</summary>
    public string MailFromReply { get; set; } = "250 OK";

    /// <summary>The reply to a whole message (the final ".").</summary>
    public string DataReply { get; set; } = "250 OK queued";

    /// <summary>How long the server waits before each reply it sends (the greeting included).</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>The most connections that were open at the same time.</summary>
    public int MaxOpenConnections => Volatile.Read(ref _maxOpenConnections);

    /// <summary>MAIL FROM commands received (each starts a transaction).</summary>
    public int MailFromCommands => Volatile.Read(ref _mailFrom);

    /// <summary>Every message received whole, with the recipients the server accepted for it.</summary>
    public IReadOnlyList<ReceivedMessage> Received => [.. _received];

    /// <summary>Closes the connection after the whole message arrived, before answering it.</summary>
    public bool DropAfterData { get; set; }

    /// <summary>Messages received whole (answered or not).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>
    /// From now on, the answer to each whole message (the reply to the final ".") waits until
    /// <see cref="ReleaseReplies"/>; the message counts in <see cref="Accepted"/> as soon as it arrived.
    /// </summary>
    public void HoldReplies()
    {
        lock (_sync)
        {
            if (_replies.Task.IsCompleted)
            {
                _replies = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Answers every held message, and answers the next ones at once.</summary>
    public void ReleaseReplies()
    {
        lock (_sync)
        {
            _replies.TrySetResult();
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> messages were received whole; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitForAcceptedAsync(int count, TimeSpan timeout)
    {
        TaskCompletionSource reached;
        lock (_sync)
        {
            if (_accepted >= count)
            {
                return;
            }

            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _acceptedWaiters.Add((count, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"The server received {Accepted} message(s) whole within {timeout}, expected at least {count}.", exception);
        }
    }

    public ValueTask DisposeAsync()
    {
        ReleaseReplies();
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
        Interlocked.Increment(ref _connections);
        var open = Interlocked.Increment(ref _openConnections);
        for (var seen = Volatile.Read(ref _maxOpenConnections); open > seen; seen = Volatile.Read(ref _maxOpenConnections))
        {
            if (Interlocked.CompareExchange(ref _maxOpenConnections, open, seen) == seen)
            {
                break;
            }
        }

        var counted = true;
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                async Task ReplyAsync(string reply)
                {
                    if (ReplyDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(ReplyDelay, _stop.Token);
                    }

                    await writer.WriteLineAsync(reply);
                }

                var greeting = Greeting;
                await ReplyAsync(greeting);
                if (!greeting.StartsWith('2'))
                {
                    return;
                }

                string? from = null;
                var accepted = new List<string>();
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                        case "HELO":
                            await ReplyAsync("250 scripted.example.com");
                            break;
                        case "MAIL":
                            Interlocked.Increment(ref _mailFrom);
                            accepted.Clear();
                            from = AddressOf(line);
                            await ReplyAsync(MailFromReply);
                            break;
                        case "RCPT":
                            var address = AddressOf(line);
                            var reply = RecipientReplies.TryGetValue(address, out var own) ? own : RecipientReply;
                            if (reply.StartsWith('2'))
                            {
                                accepted.Add(address);
                            }

                            await ReplyAsync(reply);
                            break;
                        case "DATA" when accepted.Count > 0:
                            await ReplyAsync("354 End data with <CR><LF>.<CR><LF>");
                            var data = new StringBuilder();
                            while (await reader.ReadLineAsync(_stop.Token) is { } text && text != ".")
                            {
                                data.Append(text).Append("\r\n");
                            }

                            _received.Enqueue(new ReceivedMessage(from, [.. accepted], data.ToString(), DateTimeOffset.UtcNow));
                            accepted.Clear();
                            var replies = CountAccepted();
                            if (DropAfterData)
                            {
                                return;
                            }

                            await replies.WaitAsync(_stop.Token);
                            await ReplyAsync(DataReply);
                            break;
                        case "DATA":
                            await ReplyAsync("503 No valid recipients");
                            break;
                        case "RSET":
                            accepted.Clear();
                            await ReplyAsync("250 OK");
                            break;
                        case "QUIT":
                            // Counted as closed before the client can hear the reply and open another.
                            Interlocked.Decrement(ref _openConnections);
                            counted = false;
                            await ReplyAsync("221 Bye");
                            return;
                        default:
                            await ReplyAsync("250 OK");
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The client went away.
            }
            finally
            {
                if (counted)
                {
                    Interlocked.Decrement(ref _openConnections);
                }
            }
        }
    }

    /// <summary>The address between angle brackets of <c>MAIL FROM:&lt;a@b&gt;</c> or <c>RCPT TO:&lt;a@b&gt;</c>.</summary>
    private static string AddressOf(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line;
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    /// <summary>Counts a message received whole, wakes the waiters it satisfies, and returns when to answer it.</summary>
    private Task CountAccepted()
    {
        lock (_sync)
        {
            var accepted = Interlocked.Increment(ref _accepted);
            foreach (var waiter in _acceptedWaiters.Where(w => w.Count <= accepted).ToList())
            {
                _acceptedWaiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }

            return _replies.Task;
        }
    }
}

/// <summary>A message the scripted server received whole: its envelope sender, accepted recipients, data, and when its final dot arrived.</summary>
public sealed record ReceivedMessage(string? From, IReadOnlyList<string> Recipients, string Data, DateTimeOffset At)
{
    /// <summary>The Message-ID header of the data, without angle brackets.</summary>
    public string? MessageId =>
        Data.Split("\r\n").FirstOrDefault(line => line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase)) is { } header
            ? header["Message-ID:".Length..].Trim().Trim('<', '>')
            : null;
}
