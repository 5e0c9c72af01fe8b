using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>The default relay (<c>Smtp</c> section) used by channels without relay settings of their own.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    public string Security { get; set; } = "none";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many idle connections each relay keeps for reuse.</summary>
    public int MaxIdleConnectionsPerRelay { get; set; } = 16;

    /// <summary>An idle connection older than this is closed instead of reused.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public SmtpRoute ToRoute() => new(Host, Port, Application.Channels.SmtpInput.ParseSecurity(Security), Username, Password);
}

/// <summary>
/// Sends with MailKit and classifies failures: before the server had the whole message (connect, auth,
/// envelope, a 4xx) is transient; a 5xx is permanent; a connection lost after the last byte of DATA was
/// written is uncertain, because the server may have accepted it. Connections are reused: each relay
/// keeps a few idle, authenticated connections, and a delivery takes one for itself (a client is never
/// shared by two deliveries at once) and gives it back when the server accepted the message.
/// </summary>
internal sealed class MailKitEmailTransport(IOptions<SmtpOptions> options, RelayConnector relays) : IEmailTransport, IDisposable
{
    private readonly SmtpConnectionPool _pool = new(options.Value);
    private readonly SmtpRoute _defaultRelay = options.Value.ToRoute();

    public async Task<TransportOutcome> SendAsync(OutgoingEmail email, SmtpRoute? route, CancellationToken cancellationToken)
    {
        var relay = route ?? _defaultRelay;
        var message = MimeMessageFactory.Create(email);
        var sender = MailboxAddress.Parse(email.EnvelopeFrom);
        var recipients = MimeMessageFactory.EnvelopeRecipients(email).ToList();

        var lease = _pool.TryTake(relay);
        if (lease is not null)
        {
            // A reused connection may have been closed by the server while idle. If it fails before
            // any of the message was written, nothing was handed over: try once more on a new one.
            var reused = await SendOnceAsync(lease, relay, message, sender, recipients, cancellationToken);
            if (!reused.BrokenBeforeData)
            {
                return reused.Outcome;
            }
        }

        var fresh = await SendOnceAsync(null, relay, message, sender, recipients, cancellationToken);
        return fresh.Outcome;
    }

    public void Dispose() => _pool.Dispose();

    private async Task<(TransportOutcome Outcome, bool BrokenBeforeData)> SendOnceAsync(
        SmtpClient? client, SmtpRoute relay, MimeMessage message, MailboxAddress sender, List<MailboxAddress> recipients, CancellationToken cancellationToken)
    {
        var reused = client is not null;
        var progress = new DataProgress();
        var phase = reused ? DeliveryPhase.Envelope : DeliveryPhase.Connect;
        client ??= new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        var keep = false;
        try
        {
            if (!reused)
            {
                await client.ConnectAsync(await relays.ConnectAsync(relay, cancellationToken), relay.Host, relay.Port, ToSocketOptions(relay.Security), cancellationToken);
                if (!string.IsNullOrEmpty(relay.Username))
                {
                    phase = DeliveryPhase.Authenticate;
                    await client.AuthenticateAsync(relay.Username, relay.Password ?? string.Empty, cancellationToken);
                }

                phase = DeliveryPhase.Envelope;
            }

            var reply = await client.SendAsync(message, sender, recipients, cancellationToken, progress);
            keep = true;
            return (TransportOutcome.Sent(250, reply), false);
        }
        catch (SmtpCommandException exception)
        {
            var code = (int)exception.StatusCode;
            var failedPhase = exception.ErrorCode switch
            {
                SmtpErrorCode.MessageNotAccepted => DeliveryPhase.Data,
                SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.RecipientNotAccepted => DeliveryPhase.Envelope,
                _ => phase,
            };
            return (new TransportOutcome(code >= 500 ? AttemptOutcome.Permanent : AttemptOutcome.Transient, failedPhase, code, exception.Message), false);
        }
        catch (Security.AddressRefusedException exception)
        {
            return (new TransportOutcome(AttemptOutcome.Permanent, DeliveryPhase.Connect, null, exception.Message), false);
        }
        catch (AuthenticationException exception)
        {
            return (new TransportOutcome(AttemptOutcome.Permanent, DeliveryPhase.Authenticate, 535, exception.Message), false);
        }
        catch (Exception exception) when (progress.Complete && IsConnectionFailure(exception))
        {
            return (new TransportOutcome(AttemptOutcome.Uncertain, DeliveryPhase.Data, null,
                $"The connection broke after the message was handed over: {exception.Message}"), false);
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            var brokenBeforeData = reused && !progress.Started && exception is not OperationCanceledException;
            return (new TransportOutcome(AttemptOutcome.Transient, progress.Started ? DeliveryPhase.Data : phase, null, exception.Message), brokenBeforeData);
        }
        finally
        {
            if (keep && client.IsConnected)
            {
                _pool.Return(relay, client);
            }
            else
            {
                await SmtpConnectionPool.CloseQuietlyAsync(client);
            }
        }
    }

    private static bool IsConnectionFailure(Exception exception) => exception is SocketException or IOException
        or SmtpProtocolException or TimeoutException or SslHandshakeException or ServiceNotConnectedException
        or OperationCanceledException;

    private static SecureSocketOptions ToSocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    /// <summary>Watches the DATA transfer: whether it began, and whether every byte was written.</summary>
    private sealed class DataProgress : ITransferProgress
    {
        public bool Started { get; private set; }

        public bool Complete { get; private set; }

        public void Report(long bytesTransferred, long totalSize)
        {
            Started = true;
            Complete = totalSize > 0 && bytesTransferred >= totalSize;
        }

        public void Report(long bytesTransferred) => Started = true;
    }
}

/// <summary>
/// Idle SMTP connections per relay. A connection is handed to one delivery at a time, kept at most
/// <see cref="SmtpOptions.MaxIdleConnectionsPerRelay"/> per relay, and dropped after
/// <see cref="SmtpOptions.IdleTimeout"/> unused (servers close idle sessions on their own after a while).
/// </summary>
internal sealed class SmtpConnectionPool(SmtpOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<SmtpRoute, ConcurrentStack<(SmtpClient Client, long IdleSince)>> _idle = new();

    public SmtpClient? TryTake(SmtpRoute relay)
    {
        if (!_idle.TryGetValue(relay, out var stack))
        {
            return null;
        }

        while (stack.TryPop(out var entry))
        {
            if (entry.Client.IsConnected && Stopwatch.GetElapsedTime(entry.IdleSince) < options.IdleTimeout)
            {
                return entry.Client;
            }

            _ = CloseQuietlyAsync(entry.Client);
        }

        return null;
    }

    public void Return(SmtpRoute relay, SmtpClient client)
    {
        var stack = _idle.GetOrAdd(relay, _ => new ConcurrentStack<(SmtpClient, long)>());
        if (stack.Count >= options.MaxIdleConnectionsPerRelay)
        {
            _ = CloseQuietlyAsync(client);
            return;
        }

        stack.Push((client, Stopwatch.GetTimestamp()));
    }

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
            or SmtpCommandException or OperationCanceledException or ServiceNotConnectedException or TimeoutException)
        {
            // Closing a connection nobody will use again: its errors change nothing.
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var stack in _idle.Values)
        {
            while (stack.TryPop(out var entry))
            {
                entry.Client.Dispose();
            }
        }
    }
}
