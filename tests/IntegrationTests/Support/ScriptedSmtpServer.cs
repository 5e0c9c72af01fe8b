using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.IntegrationTests.Support;

/// <summary>
/// A small real SMTP server on 127.0.0.1 whose answer to RCPT TO the test chooses, for the replies
/// MailDev never gives (450 "try later", 550 "no such user"). It counts the messages it accepted,
/// and can hold its answer to each whole message until the test releases it.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _acceptedWaiters = [];
    private TaskCompletionSource _replies = Released();
    private int _accepted;

    public ScriptedSmtpServer()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The reply to every RCPT TO; <c>250 OK</c> accepts.</summary>
    public string RecipientReply { get; set; } = "250 OK";

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
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 scripted.example.com ESMTP");
                var rcptAccepted = false;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                        case "HELO":
                            await writer.WriteLineAsync("250 scripted.example.com");
                            break;
                        case "MAIL":
                            rcptAccepted = false;
                            await writer.WriteLineAsync("250 OK");
                            break;
                        case "RCPT":
                            rcptAccepted = RecipientReply.StartsWith('2');
                            await writer.WriteLineAsync(RecipientReply);
                            break;
                        case "DATA" when rcptAccepted:
                            await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                            while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                            {
                            }

                            var replies = CountAccepted();
                            if (DropAfterData)
                            {
                                return;
                            }

                            await replies.WaitAsync(_stop.Token);
                            await writer.WriteLineAsync("250 OK queued");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("503 No valid recipients");
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
        }
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
