using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// Sends with MailKit through the relay's connection pool (<see cref="SmtpConnectionPool"/>) and
/// classifies the outcome: each recipient's reply to <c>RCPT TO</c> is recorded and only the refused
/// ones are dropped; the message is sent when the server accepted at least one and took the message.
/// Before the server had the whole message (connect, auth, envelope, a 4xx) a failure is transient; a
/// 5xx is permanent; a connection lost after the last byte of DATA was written is uncertain, because the
/// server may have accepted it. A relay that asks for fewer connections (421, too many connections, a
/// rate limit) makes its own pool back off, and no other.
/// </summary>
internal sealed partial class MailKitEmailTransport(IOptions<SmtpOptions> options, RelayConnector relays, ILogger<MailKitEmailTransport> logger) : IEmailTransport, IDisposable
{
    private readonly SmtpConnectionPool _pools = new(options.Value);
    private readonly SmtpRoute _defaultRelay = options.Value.ToRoute();

    public async Task<TransportOutcome> SendAsync(
        OutgoingEmail email, SmtpRoute? route, Func<CancellationToken, Task> beforeHandover, CancellationToken cancellationToken)
    {
        var relay = route ?? _defaultRelay;
        var pool = _pools.For(relay);
        // Built, then (with a DKIM key) signed as the very last change: the message is final here.
        var message = MimeMessageFactory.CreateForSending(email);

        // Its exact bytes are taken now and stored as the message's raw source once the server accepted it.
        var source = MimeMessageFactory.Seal(message);
        var sender = MailboxAddress.Parse(email.EnvelopeFrom);
        var recipients = MimeMessageFactory.EnvelopeRecipients(email).ToList();

        SmtpLease? lease;
        try
        {
            lease = await pool.AcquireAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return TransportOutcome.Failure(AttemptOutcome.Transient, DeliveryPhase.Connect, $"Canceled while waiting for a connection to {pool.Key}.");
        }

        if (lease is null)
        {
            return TransportOutcome.Failure(AttemptOutcome.Transient, DeliveryPhase.Connect, pool.BackoffReason());
        }

        try
        {
            var transaction = new Transaction(relay, message, sender, recipients, beforeHandover);
            var first = await SendOnceAsync(lease, transaction, fresh: false, cancellationToken);
            if (!first.BrokenBeforeData)
            {
                return first.Outcome with { Source = source };
            }

            // A reused connection the server closed while it was idle: nothing was handed over, so try
            // once more at once, on a new connection in the same place of the pool.
            var fresh = await SendOnceAsync(lease, transaction, fresh: true, cancellationToken);
            return fresh.Outcome with { Source = source };
        }
        finally
        {
            pool.Return(lease);
        }
    }

    public void Dispose() => _pools.Dispose();

    private async Task<(TransportOutcome Outcome, bool BrokenBeforeData)> SendOnceAsync(
        SmtpLease lease, Transaction transaction, bool fresh, CancellationToken cancellationToken)
    {
        lease.Reusable = false;
        if (fresh && lease.Client is { } broken)
        {
            lease.Client = null;
            await SmtpConnectionPool.CloseQuietlyAsync(broken);
        }

        var reused = lease.Client is not null;
        if (lease.Client is null && await ConnectAsync(lease, transaction.Relay, cancellationToken) is { } failed)
        {
            return (failed, false);
        }

        var client = lease.Client!;
        if (!transaction.HandedOver)
        {
            // The connection is ready and nothing of this message was sent: if the caller's step throws, the
            // exception goes to the caller and the connection back to the pool, unused.
            lease.Reusable = true;
            await transaction.BeforeHandover(cancellationToken);
            transaction.HandedOver = true;
            lease.Reusable = false;
        }

        var progress = new DataProgress();
        client.BeginTransaction();
        try
        {
            var response = await client.SendAsync(MimeMessageFactory.WireFormat, transaction.Message, transaction.Sender, transaction.Recipients, cancellationToken, progress);

            // MailKit returns only when the reply to the final dot was 250 (any other code throws, with the
            // code), and hands over the reply's text alone: the code is 250 by its contract.
            client.CountSent();
            lease.Reusable = true;
            lease.Pool.Succeeded();
            return (new TransportOutcome(AttemptOutcome.Sent, DeliveryPhase.Completed, SmtpReply.Parse((int)SmtpStatusCode.Ok, response), [.. client.Recipients]), false);
        }
        catch (SmtpCommandException) when (client.NoneAccepted)
        {
            IReadOnlyList<RecipientReply> refused = [.. client.Recipients];
            if (refused.FirstOrDefault(r => r.Reply.Code == (int)SmtpStatusCode.ServiceNotAvailable) is { } closing)
            {
                BackOff(lease.Pool, closing.Reply);
            }

            var permanent = refused.All(r => r.Reply.IsPermanent);
            var deciding = permanent ? refused.FirstOrDefault() : refused.First(r => !r.Reply.IsPermanent);
            return (new TransportOutcome(permanent ? AttemptOutcome.Permanent : AttemptOutcome.Transient, DeliveryPhase.Envelope, deciding?.Reply, refused), false);
        }
        catch (SmtpCommandException exception)
        {
            var reply = SmtpReply.Parse((int)exception.StatusCode, exception.Message);
            if (SmtpThrottling.AsksForFewerConnections(reply))
            {
                BackOff(lease.Pool, reply);
            }

            var phase = exception.ErrorCode switch
            {
                SmtpErrorCode.MessageNotAccepted => DeliveryPhase.Data,
                SmtpErrorCode.UnexpectedStatusCode when progress.Started => DeliveryPhase.Data,
                _ => DeliveryPhase.Envelope,
            };
            var outcome = reply.IsPermanent ? AttemptOutcome.Permanent : AttemptOutcome.Transient;
            return (new TransportOutcome(outcome, phase, reply, [.. client.Recipients]), false);
        }
        catch (Exception exception) when (progress.Complete && IsConnectionFailure(exception))
        {
            return (new TransportOutcome(AttemptOutcome.Uncertain, DeliveryPhase.Data, null, [.. client.Recipients],
                $"The connection broke after the message was handed over: {exception.Message}"), false);
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            var brokenBeforeData = reused && !progress.Started && exception is not OperationCanceledException;
            return (new TransportOutcome(AttemptOutcome.Transient, progress.Started ? DeliveryPhase.Data : DeliveryPhase.Envelope, null,
                [.. client.Recipients], exception.Message), brokenBeforeData);
        }
    }

    /// <summary>Opens and authenticates a connection in the lease's place; the failure's outcome, or null when ready.</summary>
    private async Task<TransportOutcome?> ConnectAsync(SmtpLease lease, SmtpRoute relay, CancellationToken cancellationToken)
    {
        var client = new RecordingSmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        lease.Client = client;
        var phase = DeliveryPhase.Connect;
        try
        {
            // Through the address guard: a channel's relay on a refused address is never connected to.
            await client.ConnectAsync(await relays.ConnectAsync(relay, cancellationToken), relay.Host, relay.Port, ToSocketOptions(relay.Security), cancellationToken);
            if (!string.IsNullOrEmpty(relay.Username))
            {
                phase = DeliveryPhase.Authenticate;
                await client.AuthenticateAsync(relay.Username, relay.Password ?? string.Empty, cancellationToken);
            }

            LogConnected(logger, lease.Pool.Key);
            return null;
        }
        catch (SmtpCommandException exception)
        {
            var reply = SmtpReply.Parse((int)exception.StatusCode, exception.Message);
            if (SmtpThrottling.AsksForFewerConnections(reply))
            {
                BackOff(lease.Pool, reply);
            }

            return new TransportOutcome(reply.IsPermanent ? AttemptOutcome.Permanent : AttemptOutcome.Transient, phase, reply, []);
        }
        catch (Security.AddressRefusedException exception)
        {
            return TransportOutcome.Failure(AttemptOutcome.Permanent, DeliveryPhase.Connect, exception.Message);
        }
        catch (AuthenticationException exception)
        {
            // MailKit keeps the server's text of a refused login, not its code.
            return TransportOutcome.Failure(AttemptOutcome.Permanent, DeliveryPhase.Authenticate, $"The relay refused the login: {exception.Message}");
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            return TransportOutcome.Failure(AttemptOutcome.Transient, phase, exception.Message);
        }
    }

    private void BackOff(SmtpRelayPool pool, SmtpReply reply)
    {
        var delay = pool.BackOff(reply.ToString());
        LogBackingOff(logger, pool.Key, reply.Code, reply.EnhancedStatus, delay);
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

    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Opened a connection to the relay {Relay}")]
    private static partial void LogConnected(ILogger logger, SmtpRelayKey relay);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "The relay {Relay} asked for fewer connections ({ReplyCode} {EnhancedStatus}): no new connection for {Delay}")]
    private static partial void LogBackingOff(ILogger logger, SmtpRelayKey relay, int replyCode, string? enhancedStatus, TimeSpan delay);

    /// <summary>One message's transaction, the same on a retry.</summary>
    private sealed class Transaction(SmtpRoute relay, MimeMessage message, MailboxAddress sender, List<MailboxAddress> recipients, Func<CancellationToken, Task> beforeHandover)
    {
        public SmtpRoute Relay => relay;

        public MimeMessage Message => message;

        public MailboxAddress Sender => sender;

        public List<MailboxAddress> Recipients => recipients;

        public Func<CancellationToken, Task> BeforeHandover => beforeHandover;

        /// <summary>True once <see cref="BeforeHandover"/> returned: a retry does not call it again.</summary>
        public bool HandedOver { get; set; }
    }

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

/// <summary>Recognises the replies by which a relay asks a client to slow down or use fewer connections.</summary>
internal static class SmtpThrottling
{
    /// <summary>
    /// 421 (the server closes the session), the enhanced code 4.3.2 (not accepting messages now), or a
    /// 4xx whose text speaks of too many connections or a rate limit. "452 4.5.3 too many recipients" is
    /// about one message, not the connection: it is not throttling.
    /// </summary>
    public static bool AsksForFewerConnections(SmtpReply reply)
    {
        if (reply.Code == (int)SmtpStatusCode.ServiceNotAvailable || reply.EnhancedStatus == "4.3.2")
        {
            return true;
        }

        if (reply.Code is < 400 or >= 500 || reply.EnhancedStatus is "4.5.3")
        {
            return false;
        }

        var text = reply.Text;
        return text.Contains("too many connections", StringComparison.OrdinalIgnoreCase)
            || text.Contains("too many concurrent", StringComparison.OrdinalIgnoreCase)
            || text.Contains("too many sessions", StringComparison.OrdinalIgnoreCase)
            || text.Contains("rate limit", StringComparison.OrdinalIgnoreCase)
            || text.Contains("ratelimit", StringComparison.OrdinalIgnoreCase)
            || text.Contains("rate-limit", StringComparison.OrdinalIgnoreCase)
            || text.Contains("rate exceeded", StringComparison.OrdinalIgnoreCase)
            || text.Contains("throttl", StringComparison.OrdinalIgnoreCase)
            || (reply.EnhancedStatus == "4.7.0" && (text.Contains("rate", StringComparison.OrdinalIgnoreCase) || text.Contains("too many", StringComparison.OrdinalIgnoreCase)));
    }
}
