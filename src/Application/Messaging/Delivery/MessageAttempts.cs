using Microsoft.Extensions.Logging;
using Modular.Application.Common.Security;
using Modular.Application.Common.Telemetry;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>Who a message goes to, as its unsubscribe headers need it: the contact of its first To recipient, and whether its conversation is automated.</summary>
public sealed record Audience(long? ContactId, bool AutomatedConversation)
{
    public static Audience None { get; } = new(null, false);
}

/// <summary>An attempt whose outcome is known, with the moment it ended; not yet saved.</summary>
public sealed record AttemptedDelivery(long MessageId, TransportOutcome Outcome, DateTimeOffset At);

/// <summary>
/// Steps 3 and 4 of delivery for one claimed message: <see cref="AttemptAsync"/> builds the email and
/// hands it to the channel's relay, after committing the handover point; <see cref="Record"/> writes the
/// outcome on the message in memory (sent, retried, failed or uncertain, with every recipient's reply),
/// for the caller to save.
/// </summary>
public sealed partial class MessageAttempts(
    IEmailTransport transport,
    IAttachmentFetcher attachments,
    IMessageClaims claims,
    ISecretProtector secrets,
    MailTokens tokens,
    PublicLinks links,
    DeliveryPolicy policy,
    IMessageContentStore contents,
    TimeProvider clock,
    ILogger<MessageAttempts> logger)
{
    /// <summary>
    /// Fetches the attachments and hands the email over. Null when the claim turned out to be lost
    /// (another instance recovered the message): then nothing was sent and nothing is to be recorded.
    /// </summary>
    public async Task<AttemptedDelivery?> AttemptAsync(Message message, Channel channel, Audience audience, CancellationToken cancellationToken)
    {
        // One span per attempt, in the trace of the request that accepted the message (null when untraced).
        using var activity = ModularTelemetry.StartDelivery(message.Id, message.TraceParent);
        ModularTelemetry.AttemptStarted(clock.GetUtcNow() - message.DueAt);
        var attempted = await AttemptTracedAsync(message, channel, audience, cancellationToken);
        if (attempted is not null)
        {
            ModularTelemetry.AttemptEnded(activity, attempted.Outcome.Outcome, attempted.Outcome.Reply?.Code);
        }

        return attempted;
    }

    private async Task<AttemptedDelivery?> AttemptTracedAsync(Message message, Channel channel, Audience audience, CancellationToken cancellationToken)
    {
        var fetched = AttachmentFetchResult.Success([]);
        if (message.AttachmentUrls.Count > 0)
        {
            fetched = await attachments.FetchAllAsync(message.AttachmentUrls, cancellationToken);
            if (fetched.Failure is { } failure)
            {
                return Ended(message, TransportOutcome.Failure(failure, DeliveryPhase.Attachments, fetched.Reason ?? "The attachments could not be fetched."));
            }
        }

        try
        {
            var outcome = await transport.SendAsync(Email(message, channel, audience, fetched.Attachments), Route(channel), async ct =>
            {
                if (!await claims.CommitHandoverAsync(message, clock.GetUtcNow(), ct))
                {
                    throw new ClaimLostException(message.Id);
                }
            }, cancellationToken);
            return Ended(message, outcome);
        }
        catch (ClaimLostException)
        {
            LogClaimLost(logger, message.Id);
            return null;
        }
    }

    /// <summary>
    /// Records the attempt on a message in <c>sending</c>, as of the moment it ended: sent (to the
    /// recipients the server accepted), uncertain, failed, or queued again while the policy has a retry left.
    /// </summary>
    public void Record(Message message, AttemptedDelivery attempted)
    {
        var outcome = attempted.Outcome;
        var number = message.Attempts.Count + 1;
        var at = attempted.At;
        var attempt = DeliveryAttempt.Of(number, at, outcome.Outcome, outcome.Phase, outcome.Reply, outcome.Detail);
        var recorded = outcome.Outcome switch
        {
            AttemptOutcome.Sent => message.MarkSent(attempt, outcome.Recipients, at),
            AttemptOutcome.Uncertain => message.MarkUncertain(attempt, at),
            AttemptOutcome.Permanent => message.MarkFailed(attempt, outcome.Recipients, at),
            _ => message.MarkTransientFailure(attempt, outcome.Recipients, policy.NextAttemptAt(number, at), at),
        };
        if (recorded.IsFailure)
        {
            throw new InvalidOperationException($"Message {message.Id} could not record its attempt: {recorded.Error!.Message}");
        }

        // A message is sent once: its raw source is what the server accepted, saved with the outcome.
        if (outcome.Outcome == AttemptOutcome.Sent && outcome.Source is { } source)
        {
            contents.Add(MessageSource.Of(message.OrganizationId, message.Id, source));
        }

        LogAttempt(logger, message.Id, number, outcome.Outcome, outcome.Phase, outcome.Reply?.Code);
    }

    private AttemptedDelivery Ended(Message message, TransportOutcome outcome) => new(message.Id, outcome, clock.GetUtcNow());

    private OutgoingEmail Email(Message message, Channel channel, Audience audience, IReadOnlyList<FetchedAttachment> fetched)
    {
        var unsubscribe = UnsubscribeTargets(message, channel, audience);
        return OutgoingEmails.Of(message, channel, fetched, clock.GetUtcNow()) with
        {
            EnvelopeFrom = channel.VerpReturnPath
                ? TokenAddresses.Bounce(channel.Domain, tokens.Bounce(new BounceToken(message.OrganizationId, message.Id)))
                : channel.Email,
            ListUnsubscribe = unsubscribe,
            ListUnsubscribeOneClick = unsubscribe.Count > 0 && links.BaseUrl is not null,
            Dkim = channel.Dkim is { } key ? new DkimSigningKey(channel.Domain, key.Selector, secrets.Unprotect(key.ProtectedPrivateKey)) : null,
        };
    }

    /// <summary>
    /// The <c>List-Unsubscribe</c> targets when the channel's policy asks for them (always, or in an
    /// automated conversation) and the message has a contact to name: the one-click link on
    /// <c>Public:BaseUrl</c> when it is set, and the mailto address.
    /// </summary>
    private List<string> UnsubscribeTargets(Message message, Channel channel, Audience audience)
    {
        var wanted = channel.ListUnsubscribe switch
        {
            ListUnsubscribePolicy.Always => true,
            ListUnsubscribePolicy.Automated => audience.AutomatedConversation,
            _ => false,
        };
        if (!wanted || audience.ContactId is not { } contactId)
        {
            return [];
        }

        var token = tokens.Unsubscribe(new UnsubscribeToken(message.OrganizationId, contactId, channel.Id, message.Id));
        var targets = new List<string>(2);
        if (links.BaseUrl is { } baseUrl)
        {
            targets.Add($"{baseUrl.AbsoluteUri.TrimEnd('/')}/u/{token}");
        }

        targets.Add($"mailto:{TokenAddresses.Unsubscribe(channel.LocalPart, channel.Domain, token)}?subject=unsubscribe");
        return targets;
    }

    private SmtpRoute? Route(Channel channel) => channel.Smtp is { } smtp
        ? new SmtpRoute(smtp.Host, smtp.Port, smtp.Security, smtp.Username,
            smtp.ProtectedPassword is null ? null : secrets.Unprotect(smtp.ProtectedPassword), smtp.MaxConnections)
        : null;

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Message {MessageId} was not sent: its claim was recovered by another process")]
    private static partial void LogClaimLost(ILogger logger, long messageId);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Message {MessageId} attempt {Attempt}: {Outcome} at {Phase} (reply {ReplyCode})")]
    private static partial void LogAttempt(ILogger logger, long messageId, int attempt, AttemptOutcome outcome, DeliveryPhase phase, int? replyCode);
}

/// <summary>Stops an SMTP transaction before it starts: this process no longer holds the message's claim.</summary>
public sealed class ClaimLostException(long messageId)
    : Exception($"The claim on message {messageId} was lost before its SMTP transaction started; it was not sent.");
