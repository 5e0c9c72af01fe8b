using Microsoft.Extensions.Logging;
using Modular.Application.Common.Security;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.DeliverMessage;

/// <summary>An attempt whose outcome is known, with the moment it ended; not yet saved.</summary>
public sealed record AttemptedDelivery(long MessageId, TransportOutcome Outcome, DateTimeOffset At);

/// <summary>
/// One delivery attempt of a claimed message, in two halves: <see cref="AttemptAsync"/> hands the email
/// to SMTP (and touches no database), <see cref="Record"/> writes its outcome on the message in memory,
/// for the caller to save. Shared by the single-message and the batch delivery.
/// </summary>
public sealed partial class MessageDelivery(
    IEmailTransport transport,
    IAttachmentFetcher attachments,
    ISecretProtector secrets,
    DeliveryPolicy policy,
    TimeProvider clock,
    ILogger<MessageDelivery> logger)
{
    /// <summary>Fetches the attachments and hands the email to the channel's relay.</summary>
    public async Task<AttemptedDelivery> AttemptAsync(Message message, Channel channel, CancellationToken cancellationToken)
    {
        var outcome = await HandOverAsync(message, channel, cancellationToken);
        return new AttemptedDelivery(message.Id, outcome, clock.GetUtcNow());
    }

    private async Task<TransportOutcome> HandOverAsync(Message message, Channel channel, CancellationToken cancellationToken)
    {
        var fetched = AttachmentFetchResult.Success([]);
        if (message.AttachmentUrls.Count > 0)
        {
            fetched = await attachments.FetchAllAsync(message.AttachmentUrls, cancellationToken);
            if (fetched.Failure is { } failure)
            {
                return TransportOutcome.Failure(failure, DeliveryPhase.Attachments, fetched.Reason ?? string.Empty);
            }
        }

        var email = new OutgoingEmail
        {
            From = new Mailbox(EmailAddress.Parse(message.FromAddress, "from").Value, message.FromName),
            Sender = message.SenderAddress,
            ReplyTo = message.ReplyToAddress is null ? null : new Mailbox(EmailAddress.Parse(message.ReplyToAddress, "reply_to").Value, message.ReplyToName),
            Recipients = message.Recipients,
            Subject = message.Subject,
            TextBody = message.TextBody,
            HtmlBody = message.HtmlBody,
            Attachments = fetched.Attachments,
            MessageId = message.MessageIdHeader,
            InReplyTo = message.InReplyTo,
            References = message.References,
            Date = clock.GetUtcNow(),
            EnvelopeFrom = channel.Email,
        };
        var route = channel.Smtp is { } smtp
            ? new SmtpRoute(smtp.Host, smtp.Port, smtp.Security, smtp.Username, smtp.ProtectedPassword is null ? null : secrets.Unprotect(smtp.ProtectedPassword), smtp.MaxConnections)
            : null;
        return await transport.SendAsync(email, route, _ => Task.CompletedTask, cancellationToken);
    }

    /// <summary>
    /// Records the attempt on a message in <c>sending</c>: sent, uncertain, failed, or queued again for
    /// a retry while the policy has one left, as of the moment the attempt ended (a batch records its
    /// attempts together, after the last one). The caller saves.
    /// </summary>
    public DeliveryResult Record(Message message, AttemptedDelivery attempted)
    {
        var outcome = attempted.Outcome;
        var attempt = message.Attempts.Count + 1;
        var now = attempted.At;
        // TEMPORARY (helper/transport): the new outcome mapped onto the old attempt fields.
        var record = new DeliveryAttempt(attempt, now, outcome.Outcome, outcome.Phase, outcome.Reply?.Code,
            outcome.Reply is { } reply ? $"{reply.EnhancedStatus} {reply.Text}".Trim() : outcome.Detail);
        var (recorded, result) = outcome.Outcome switch
        {
            AttemptOutcome.Sent => (message.MarkSent(record, now), DeliveryResult.Sent),
            AttemptOutcome.Uncertain => (message.MarkUncertain(record, now), DeliveryResult.Uncertain),
            AttemptOutcome.Permanent => (message.MarkFailed(record, now), DeliveryResult.Failed),
            _ => policy.NextAttemptAt(attempt, now) is { } retryAt
                ? (message.MarkTransientFailure(record, retryAt, now), DeliveryResult.Retrying)
                : (message.MarkTransientFailure(record, null, now), DeliveryResult.Failed),
        };
        if (recorded.IsFailure)
        {
            throw new InvalidOperationException($"Message {message.Id} could not record its attempt: {recorded.Error!.Message}");
        }

        LogAttempt(logger, message.Id, attempt, outcome.Outcome, outcome.Phase, outcome.Reply?.Code);
        return result;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Message {MessageId} attempt {Attempt}: {Outcome} at {Phase} (reply {ReplyCode})")]
    private static partial void LogAttempt(ILogger logger, long messageId, int attempt, AttemptOutcome outcome, DeliveryPhase phase, int? replyCode);
}

/// <summary>
/// Slots for concurrent deliveries, shared by every delivery of the process: however many batch jobs
/// run at once, at most <see cref="Count"/> messages are being handed to SMTP at the same time.
/// </summary>
public sealed class DeliverySlots : IDisposable
{
    public const int Count = 16;

    private readonly SemaphoreSlim _slots = new(Count);

    public async Task<T> RunAsync<T>(Func<Task<T>> attempt)
    {
        await _slots.WaitAsync(CancellationToken.None);
        try
        {
            return await attempt();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
