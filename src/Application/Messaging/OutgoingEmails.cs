using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging;

/// <summary>The email an outbound message becomes, for the transport (delivery) and for previews (dry runs).</summary>
public static class OutgoingEmails
{
    public static OutgoingEmail Of(Message message, Channel channel, IReadOnlyList<FetchedAttachment> attachments, DateTimeOffset date) => new()
    {
        From = new Mailbox(EmailAddress.Parse(message.FromAddress, "from").Value, message.FromName),
        Sender = message.SenderAddress,
        ReplyTo = message.ReplyToAddress is null ? null : new Mailbox(EmailAddress.Parse(message.ReplyToAddress, "reply_to").Value, message.ReplyToName),
        Recipients = [.. message.EnvelopeRecipients],
        Subject = message.Subject,
        TextBody = message.TextBody,
        HtmlBody = message.HtmlBody,
        Attachments = attachments,
        MessageId = message.MessageIdHeader,
        InReplyTo = message.InReplyTo,
        References = message.References,
        Date = date,
        EnvelopeFrom = channel.Email,
    };
}

/// <summary>
/// What a dry run answers: the raw MIME the send would hand to SMTP (attachments are fetched only at
/// delivery, so they are listed and not in <c>raw</c>), the envelope recipients, who would be left out, and
/// the contact and conversation it would use (null when the send would create them).
/// </summary>
public sealed record EmailPreview(
    bool DryRun,
    string DeliveryStatus,
    long? ContactId,
    long? ConversationId,
    string MessageId,
    string EnvelopeFrom,
    IReadOnlyList<PreviewRecipient> Recipients,
    IReadOnlyList<ComplianceResponse> ComplianceResults,
    IReadOnlyList<string> Attachments,
    DateTimeOffset? ScheduleAt,
    string Raw)
{
    public static EmailPreview Of(IEmailRenderer renderer, Message message, Channel channel, long? contactId, long? conversationId, DateTimeOffset now)
    {
        var email = OutgoingEmails.Of(message, channel, [], now);
        return new EmailPreview(
            DryRun: true,
            Message.Format(message.Status),
            contactId,
            conversationId,
            message.MessageIdHeader,
            email.EnvelopeFrom,
            [.. message.EnvelopeRecipients.Select(r => new PreviewRecipient(r.Address, r.Kind.ToString().ToLowerInvariant(), r.Name))],
            [.. message.ComplianceResults.Select(c => new ComplianceResponse(c.Address, c.Reason))],
            message.AttachmentUrls,
            message.ScheduleAt,
            message.Status == Domain.Messaging.DeliveryStatus.Blocked ? string.Empty : System.Text.Encoding.UTF8.GetString(renderer.Render(email)));
    }
}

/// <summary>An envelope recipient of a preview: To, Cc or Bcc (Bcc only in the envelope, never in <c>raw</c>).</summary>
public sealed record PreviewRecipient(string Address, string Kind, string? Name);
