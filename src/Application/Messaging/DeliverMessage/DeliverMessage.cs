using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.DeliverMessage;

/// <summary>
/// Delivers one message. Sent by the delivery jobs with the message id only; safe to run any number of
/// times. Not a command of the unit-of-work pipeline: it commits twice on purpose, first its claim on
/// the message (so no other run can send it) and then the outcome. With <paramref name="AlreadyClaimed"/>,
/// the caller claimed the message itself (a batch claim moved it to <c>sending</c>), and only the
/// attempt and its outcome are left.
/// </summary>
public sealed record DeliverMessageCommand(long MessageId, bool AlreadyClaimed = false) : IRequest<DeliveryResult>;

public enum DeliveryResult
{
    /// <summary>Handed to the server and accepted.</summary>
    Sent,

    /// <summary>Failed for now; queued again for a later attempt.</summary>
    Retrying,

    /// <summary>Failed for good (a permanent reply, or no retry left).</summary>
    Failed,

    /// <summary>The connection broke after the whole message was handed over.</summary>
    Uncertain,

    /// <summary>Nothing to do: already sent, canceled, not due, gone, or another run holds it.</summary>
    Skipped,
}

public sealed partial class DeliverMessageHandler(
    IRepository<Message> messages,
    IRepository<Channel> channels,
    IUnitOfWork unitOfWork,
    IEmailTransport transport,
    IAttachmentFetcher attachments,
    ISecretProtector secrets,
    DeliveryPolicy policy,
    TimeProvider clock,
    ILogger<DeliverMessageHandler> logger) : IRequestHandler<DeliverMessageCommand, DeliveryResult>
{
    public async ValueTask<DeliveryResult> Handle(DeliverMessageCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.MessageId), cancellationToken);
        if (message is null)
        {
            return DeliveryResult.Skipped;
        }

        var mine = command.AlreadyClaimed ? message.Status == DeliveryStatus.Sending : await ClaimAsync(message, cancellationToken);
        if (!mine)
        {
            return DeliveryResult.Skipped;
        }

        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(message.ChannelId), cancellationToken)
            ?? throw new InvalidOperationException($"Channel {message.ChannelId} of message {message.Id} is missing.");

        var attempt = message.Attempts.Count + 1;
        var outcome = await AttemptAsync(message, channel, cancellationToken);
        var now = clock.GetUtcNow();
        var record = new DeliveryAttempt(attempt, now, outcome.Outcome, outcome.Phase, outcome.ReplyCode, outcome.ReplyText);
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

        // The outcome is saved even if the job is being stopped: the email has left (or not) already.
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        LogAttempt(logger, message.Id, attempt, outcome.Outcome, outcome.Phase, outcome.ReplyCode);
        return result;
    }

    /// <summary>Moves the message to <c>sending</c> and commits; false when this run must not send it.</summary>
    private async Task<bool> ClaimAsync(Message message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (message.Status == DeliveryStatus.Sending)
        {
            // Another run holds it, or held it and died: after the claim timeout nobody knows whether
            // the server got it, so it becomes uncertain rather than risking a duplicate.
            if (message.SendingSince + policy.ClaimTimeout < now && message.MarkInterrupted(now).IsSuccess)
            {
                await TrySaveAsync(cancellationToken);
            }

            return false;
        }

        if (message.Status is not (DeliveryStatus.Queued or DeliveryStatus.Scheduled))
        {
            return false;
        }

        // Hangfire keeps due times in whole seconds and may fire early: wait for the due time rather
        // than ever sending before it. A job far too early belongs to an older schedule: a newer job exists.
        if (message.DueAt - now > policy.EarlyFireTolerance)
        {
            return false;
        }

        // Timers may wake a little before the time asked for: wait until the clock says it is due.
        while (message.DueAt > now)
        {
            await Task.Delay(message.DueAt - now + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
            now = clock.GetUtcNow();
        }

        return message.MarkSending(now).IsSuccess && await TrySaveAsync(cancellationToken);
    }

    private async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            // Another run changed the row since it was read: it owns the message now.
            return false;
        }
    }

    private async Task<TransportOutcome> AttemptAsync(Message message, Channel channel, CancellationToken cancellationToken)
    {
        var fetched = AttachmentFetchResult.Success([]);
        if (message.AttachmentUrls.Count > 0)
        {
            fetched = await attachments.FetchAllAsync(message.AttachmentUrls, cancellationToken);
            if (fetched.Failure is { } failure)
            {
                return new TransportOutcome(failure, DeliveryPhase.Attachments, null, fetched.Reason);
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
            ? new SmtpRoute(smtp.Host, smtp.Port, smtp.Security, smtp.Username, smtp.ProtectedPassword is null ? null : secrets.Unprotect(smtp.ProtectedPassword))
            : null;
        return await transport.SendAsync(email, route, cancellationToken);
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Message {MessageId} attempt {Attempt}: {Outcome} at {Phase} (reply {ReplyCode})")]
    private static partial void LogAttempt(ILogger logger, long messageId, int attempt, AttemptOutcome outcome, DeliveryPhase phase, int? replyCode);
}
