using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// Who a connection belongs to: host, port, security and credentials. The password takes part only as
/// a hash, so the key can be kept, compared and printed without it.
/// </summary>
internal sealed record SmtpRelayKey(string Host, int Port, SmtpSecurity Security, string? Username, string? PasswordHash)
{
    public static SmtpRelayKey For(SmtpRoute route) => new(
        route.Host.ToLowerInvariant(),
        route.Port,
        route.Security,
        route.Username,
        route.Password is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(route.Password))));

    /// <summary><c>smtp.example.com:587 (user)</c>: never the password.</summary>
    public override string ToString() => Username is null ? $"{Host}:{Port}" : $"{Host}:{Port} ({Username})";
}

/// <summary>
/// One pool per relay (<see cref="SmtpRelayKey"/>). Pools share nothing, so a slow or throttled relay
/// never holds up another. A timer closes connections left idle longer than <see cref="SmtpOptions.IdleTimeout"/>.
/// </summary>
internal sealed class SmtpConnectionPool : IDisposable
{
    private readonly ConcurrentDictionary<SmtpRelayKey, SmtpRelayPool> _pools = new();
    private readonly SmtpOptions _options;
    private readonly Timer _sweeper;

    public SmtpConnectionPool(SmtpOptions options)
    {
        _options = options;
        var period = TimeSpan.FromTicks(Math.Clamp(options.IdleTimeout.Ticks / 2, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(15).Ticks));
        _sweeper = new Timer(_ => Sweep(), null, period, period);
    }

    /// <summary>The relay's pool, created on first use; its size follows the route's <see cref="SmtpRoute.MaxConnections"/>.</summary>
    public SmtpRelayPool For(SmtpRoute route)
    {
        var pool = _pools.GetOrAdd(SmtpRelayKey.For(route), key => new SmtpRelayPool(key, route.MaxConnections, _options));
        pool.Resize(route.MaxConnections);
        return pool;
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool.Dispose();
        }
    }

    private void Sweep()
    {
        foreach (var pool in _pools.Values)
        {
            pool.CloseExpired();
        }
    }

    /// <summary>Says QUIT (at most 5 s) when still connected, then disposes; errors change nothing.</summary>
    public static async Task CloseQuietlyAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(quit: true, timeout.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or SmtpProtocolException
            or SmtpCommandException or OperationCanceledException or ServiceNotConnectedException or TimeoutException
            or ObjectDisposedException)
        {
            // Closing a connection nobody will use again: its errors change nothing.
        }
        finally
        {
            client.Dispose();
        }
    }
}

/// <summary>
/// The connections of one relay. At most <c>MaxConnections</c> are open (busy and idle together); a
/// delivery takes a lease on one and is its only user until it gives it back; a delivery that finds them
/// all busy waits for one, in order. A connection is retired after <see cref="SmtpOptions.MaxMessagesPerConnection"/>
/// messages or <see cref="SmtpOptions.IdleTimeout"/> unused, and its place is free only once it is closed,
/// so the server never sees more connections than the limit. A relay that asked for fewer connections
/// gets none for a while (<see cref="BackOff"/>): the deliveries waiting for it are told at once.
/// </summary>
internal sealed class SmtpRelayPool(SmtpRelayKey key, int maxConnections, SmtpOptions options) : IDisposable
{
    private readonly Lock _sync = new();
    private readonly List<(RecordingSmtpClient Client, long IdleSince)> _idle = [];
    private readonly LinkedList<TaskCompletionSource<SmtpLease?>> _waiters = new();
    private int _limit = maxConnections;
    private int _open;
    private TimeSpan _backoff;
    private long _backoffUntil;
    private string? _throttleReply;

    public SmtpRelayKey Key => key;

    /// <summary>Connections open or being opened (busy and idle).</summary>
    public int Open
    {
        get
        {
            lock (_sync)
            {
                return _open;
            }
        }
    }

    /// <summary>
    /// A lease on a connection: an idle one, or a free place to open one in (its <see cref="SmtpLease.Client"/>
    /// is null). Null when the relay is backing off and no idle connection is left: the delivery is transient.
    /// </summary>
    public async ValueTask<SmtpLease?> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<SmtpLease?> waiter;
        LinkedListNode<TaskCompletionSource<SmtpLease?>> node;
        List<RecordingSmtpClient>? expired = null;
        lock (_sync)
        {
            SmtpLease? lease = null;
            while (lease is null && _idle.Count > 0)
            {
                // Most recently used first: the oldest idle ones are the likeliest to be closed by the server.
                var (client, idleSince) = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                if (client.IsConnected && Stopwatch.GetElapsedTime(idleSince) < options.IdleTimeout)
                {
                    lease = new SmtpLease(this, client);
                }
                else
                {
                    (expired ??= []).Add(client);
                }
            }

            if (lease is null && !BackingOff && _open < _limit)
            {
                _open++;
                lease = new SmtpLease(this, null);
            }

            if (lease is not null || BackingOff)
            {
                RetireAll(expired);
                return lease;
            }

            waiter = new TaskCompletionSource<SmtpLease?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        RetireAll(expired);
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_sync)
            {
                // Still waiting: leave the queue. Otherwise a lease was handed over already and is used.
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    waiter.TrySetCanceled(cancellationToken);
                }
            }
        });
        return await waiter.Task;
    }

    /// <summary>
    /// Gives a lease back: its connection serves the next delivery when it is still good (connected,
    /// <see cref="SmtpLease.Reusable"/>, under the per-connection message limit), else it is closed and
    /// its place freed.
    /// </summary>
    public void Return(SmtpLease lease)
    {
        var client = lease.Client;
        if (client is null)
        {
            FreePlace();
            return;
        }

        lock (_sync)
        {
            if (lease.Reusable && client.IsConnected && client.MessagesSent < options.MaxMessagesPerConnection && _open <= _limit)
            {
                if (_waiters.First is { } next)
                {
                    _waiters.RemoveFirst();
                    next.Value.TrySetResult(new SmtpLease(this, client));
                }
                else
                {
                    _idle.Add((client, Stopwatch.GetTimestamp()));
                }

                return;
            }
        }

        Retire(client);
    }

    /// <summary>
    /// The relay asked for fewer connections (<paramref name="reply"/>): no new connection for a while (the
    /// first time <see cref="SmtpOptions.ThrottleBackoff"/>, doubling up to <see cref="SmtpOptions.MaxThrottleBackoff"/>),
    /// and every delivery waiting for one is told at once. Returns how long.
    /// </summary>
    public TimeSpan BackOff(string reply)
    {
        List<TaskCompletionSource<SmtpLease?>> told;
        TimeSpan delay;
        lock (_sync)
        {
            if (!BackingOff)
            {
                // Several deliveries hearing the same refusal at once count as one.
                _backoff = _backoff == TimeSpan.Zero
                    ? options.ThrottleBackoff
                    : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, options.MaxThrottleBackoff.Ticks));
                _backoffUntil = Stopwatch.GetTimestamp() + (long)(_backoff.TotalSeconds * Stopwatch.Frequency);
            }

            _throttleReply = reply;
            delay = RemainingBackoff;
            told = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in told)
        {
            waiter.TrySetResult(null);
        }

        return delay;
    }

    /// <summary>A message went through: the relay is well again, the back-off starts over.</summary>
    public void Succeeded()
    {
        lock (_sync)
        {
            _backoff = TimeSpan.Zero;
            _backoffUntil = 0;
            _throttleReply = null;
        }
    }

    /// <summary>Why and for how long no connection is opened, for a delivery that got no lease.</summary>
    public string BackoffReason()
    {
        lock (_sync)
        {
            return $"The relay {key} asked for fewer connections ({_throttleReply}): no new connection for {Math.Ceiling(RemainingBackoff.TotalSeconds)} s.";
        }
    }

    /// <summary>Follows a changed <c>max_connections</c>: more places wake waiters; fewer retire connections as they come back.</summary>
    public void Resize(int maxConnections)
    {
        lock (_sync)
        {
            if (maxConnections == _limit)
            {
                return;
            }

            _limit = maxConnections;
            while (!BackingOff && _open < _limit && _waiters.First is { } next)
            {
                _waiters.RemoveFirst();
                _open++;
                next.Value.TrySetResult(new SmtpLease(this, null));
            }
        }
    }

    /// <summary>Closes the idle connections unused for longer than the idle timeout.</summary>
    public void CloseExpired()
    {
        List<RecordingSmtpClient>? expired = null;
        lock (_sync)
        {
            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (!_idle[i].Client.IsConnected || Stopwatch.GetElapsedTime(_idle[i].IdleSince) >= options.IdleTimeout)
                {
                    (expired ??= []).Add(_idle[i].Client);
                    _idle.RemoveAt(i);
                }
            }
        }

        RetireAll(expired);
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var (client, _) in _idle)
            {
                client.Dispose();
            }

            _idle.Clear();
        }
    }

    private bool BackingOff => _backoffUntil != 0 && Stopwatch.GetTimestamp() < _backoffUntil;

    private TimeSpan RemainingBackoff => BackingOff
        ? TimeSpan.FromSeconds((double)(_backoffUntil - Stopwatch.GetTimestamp()) / Stopwatch.Frequency)
        : TimeSpan.Zero;

    private void RetireAll(List<RecordingSmtpClient>? clients)
    {
        foreach (var client in clients ?? [])
        {
            Retire(client);
        }
    }

    /// <summary>Closes a connection in the background; its place is free once it is closed.</summary>
    private void Retire(RecordingSmtpClient client) => _ = RetireAsync(client);

    private async Task RetireAsync(RecordingSmtpClient client)
    {
        try
        {
            await SmtpConnectionPool.CloseQuietlyAsync(client);
        }
        finally
        {
            FreePlace();
        }
    }

    /// <summary>A place became free: the next waiter may open a connection in it.</summary>
    private void FreePlace()
    {
        lock (_sync)
        {
            if (!BackingOff && _open <= _limit && _waiters.First is { } next)
            {
                _waiters.RemoveFirst();
                next.Value.TrySetResult(new SmtpLease(this, null));
                return;
            }

            _open--;
        }
    }
}

/// <summary>
/// One delivery's hold on a place in its relay's pool, and the connection in it once opened. The delivery
/// is its only user until <see cref="SmtpRelayPool.Return"/>.
/// </summary>
internal sealed class SmtpLease(SmtpRelayPool pool, RecordingSmtpClient? client)
{
    public SmtpRelayPool Pool => pool;

    /// <summary>The connection; null until the delivery opens one.</summary>
    public RecordingSmtpClient? Client { get; set; } = client;

    /// <summary>True for a connection that was in use before this lease (it may have been closed by the server since).</summary>
    public bool Reused { get; } = client is not null;

    /// <summary>Whether the connection may serve another message (set by the delivery; false by default).</summary>
    public bool Reusable { get; set; }
}
