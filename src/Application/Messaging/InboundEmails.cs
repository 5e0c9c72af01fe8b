using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Deliverability.RecordDeliveryReport;
using Modular.Application.Deliverability.UnsubscribeByEmail;
using Modular.Application.Messaging.Ports;
using Modular.Application.Messaging.ReceiveEmail;
using Modular.Domain.Common;

namespace Modular.Application.Messaging;

/// <summary>What an inbound email is, and so which use case takes it.</summary>
public enum InboundKind
{
    /// <summary>A reply or a new email: threaded into a conversation (<see cref="ReceiveEmailCommand"/>).</summary>
    Conversation,

    /// <summary>
    /// A bounce (RFC 3464 <c>multipart/report; report-type=delivery-status</c>), a complaint (RFC 5965
    /// <c>report-type=feedback-report</c>), or anything sent to a VERP return path: recorded on the
    /// original message and recipient, never shown as a conversation reply.
    /// </summary>
    DeliveryReport,

    /// <summary>Mail to the <c>mailto:</c> of <c>List-Unsubscribe</c> (<c>local+unsubscribe-{token}@domain</c>).</summary>
    Unsubscribe,
}

/// <summary>The one place inbound mail is classified.</summary>
public static class InboundRouting
{
    public static InboundKind Classify(ParsedEmail email)
    {
        if (email.ContentType == "multipart/report" && email.ReportType is "delivery-status" or "feedback-report")
        {
            return InboundKind.DeliveryReport;
        }

        var recipients = email.To.Concat(email.Cc).Select(m => m.Address).ToList();
        if (recipients.Any(a => TokenAddresses.BounceTokenOf(a) is not null))
        {
            return InboundKind.DeliveryReport;
        }

        return recipients.Any(a => TokenAddresses.UnsubscribeTokenOf(a) is not null) ? InboundKind.Unsubscribe : InboundKind.Conversation;
    }

    /// <summary>The address a report or an unsubscribe email was sent to: the token-bearing one when there is one.</summary>
    public static string? TokenAddress(ParsedEmail email, InboundKind kind)
    {
        var recipients = email.To.Concat(email.Cc).Select(m => m.Address).ToList();
        return kind switch
        {
            InboundKind.Unsubscribe => recipients.FirstOrDefault(a => TokenAddresses.UnsubscribeTokenOf(a) is not null),
            _ => recipients.FirstOrDefault(a => TokenAddresses.BounceTokenOf(a) is not null) ?? recipients.FirstOrDefault(),
        };
    }
}

/// <summary>
/// What became of an inbound email. <c>kind</c> <c>message</c>: stored as <c>id</c> in
/// <c>conversation_id</c> (<c>duplicate</c> when it was stored before). <c>delivery_report</c> and
/// <c>unsubscribe</c>: applied to the message or contact it names, or <c>ignored</c> (<c>outcome</c>).
/// </summary>
public sealed record InboundResponse(string Kind, long? Id, long? ConversationId, long? ContactId, bool Duplicate, string? Outcome)
{
    public static InboundResponse Message(ReceiveEmailResponse received) =>
        new("message", received.Id, received.ConversationId, received.ContactId, received.Duplicate, "stored");
}

/// <summary>
/// Receives inbound emails for any caller (the HTTP endpoint, the IMAP watcher): classifies each
/// (<see cref="InboundRouting"/>) and hands it to its use case in a scope of its own for the
/// organization. Two copies of one message arriving at once (by IMAP and HTTP, or two forwarders) both
/// pass the duplicate check; the unique index on (channel, Message-ID) lets one commit, and the other,
/// run again, finds it and answers <c>duplicate</c>. A new contact or conversation raced for the same way
/// is found on the second run too.
/// </summary>
public sealed class InboundEmails(ITenantScopes scopes, IEmailParser parser)
{
    private const int Attempts = 3;

    public async Task<Result<InboundResponse>> ReceiveAsync(long organizationId, long channelId, byte[] raw, CancellationToken cancellationToken)
    {
        var parsed = parser.Parse(raw);
        if (parsed.IsFailure)
        {
            return parsed.Error!;
        }

        var kind = InboundRouting.Classify(parsed.Value);
        switch (kind)
        {
            case InboundKind.DeliveryReport:
            {
                var recorded = await scopes.SendAsync(
                    organizationId, new RecordDeliveryReportCommand(channelId, raw, InboundRouting.TokenAddress(parsed.Value, kind)), cancellationToken);
                return recorded.IsSuccess
                    ? new InboundResponse("delivery_report", recorded.Value.MessageId, null, null, false, recorded.Value.Outcome)
                    : recorded.Error!;
            }

            case InboundKind.Unsubscribe:
            {
                var address = InboundRouting.TokenAddress(parsed.Value, kind)!;
                var unsubscribed = await scopes.SendAsync(organizationId, new UnsubscribeByEmailCommand(address, channelId), cancellationToken);
                // A forged or foreign token changes nothing; the email itself is still taken.
                return new InboundResponse("unsubscribe", null, null, null, false, unsubscribed.IsSuccess ? "applied" : "ignored");
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var received = await scopes.SendAsync(organizationId, new ReceiveEmailCommand(channelId, raw, parsed.Value), cancellationToken);
                return received.IsSuccess ? InboundResponse.Message(received.Value) : received.Error!;
            }
            catch (Exception exception) when (exception is UniqueConstraintException or ConcurrencyConflictException && attempt < Attempts)
            {
                // Lost a race with a concurrent copy (or a concurrent new contact), or a follow-up it
                // cancels was claimed meanwhile: run again.
            }
        }
    }
}
