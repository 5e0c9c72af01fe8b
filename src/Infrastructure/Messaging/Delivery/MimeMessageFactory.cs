using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// Builds the MIME message: text/plain for a plain body; multipart/alternative (text derived from the
/// HTML when none is given) for HTML; multipart/mixed with attachments. Bcc is never a header.
/// </summary>
public static class MimeMessageFactory
{
    public static MimeMessage Create(OutgoingEmail email)
    {
        var message = new MimeMessage
        {
            Subject = email.Subject,
            MessageId = email.MessageId,
            Date = email.Date,
        };
        message.From.Add(new MailboxAddress(email.From.Name, email.From.Address.Value));
        if (email.Sender is not null)
        {
            message.Sender = new MailboxAddress(null, email.Sender);
        }

        if (email.ReplyTo is not null)
        {
            message.ReplyTo.Add(new MailboxAddress(email.ReplyTo.Name, email.ReplyTo.Address.Value));
        }

        foreach (var recipient in email.Recipients)
        {
            var list = recipient.Kind switch
            {
                RecipientKind.To => message.To,
                RecipientKind.Cc => message.Cc,
                _ => null, // Bcc recipients travel in the envelope only.
            };
            list?.Add(new MailboxAddress(recipient.Name, recipient.Address));
        }

        if (email.InReplyTo is not null)
        {
            message.InReplyTo = email.InReplyTo;
        }

        foreach (var reference in email.References)
        {
            message.References.Add(reference);
        }

        var body = new BodyBuilder
        {
            HtmlBody = email.HtmlBody,
            TextBody = email.TextBody ?? (email.HtmlBody is null ? null : HtmlText.ToPlainText(email.HtmlBody)),
        };
        foreach (var attachment in email.Attachments)
        {
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        }

        message.Body = body.ToMessageBody();

        // RFC 2369 and RFC 8058: the targets in angle brackets, the one-click link first.
        if (email.ListUnsubscribe.Count > 0)
        {
            message.Headers.Add(ListUnsubscribe, string.Join(", ", email.ListUnsubscribe.Select(target => $"<{target}>")));
            if (email.ListUnsubscribeOneClick)
            {
                message.Headers.Add(ListUnsubscribePost, "List-Unsubscribe=One-Click");
            }
        }

        return message;
    }

    /// <summary>
    /// How the service writes a message for SMTP: CRLF line ends, a final line end, no SMTPUTF8 header
    /// forms. The transport hands MailKit these options, so the bytes it writes are the ones
    /// <see cref="Seal"/> captured (dot-stuffing is added by the transport on the wire, not part of them).
    /// </summary>
    public static FormatOptions WireFormat { get; } = CreateWireFormat();

    /// <summary>
    /// Fixes the message as it will be sent and returns its exact bytes. Call once the message is final
    /// (after any signing): every part gets a 7-bit transfer encoding now, so MailKit's own preparation for
    /// the server (8BITMIME or not) changes nothing later.
    /// </summary>
    public static byte[] Seal(MimeMessage message)
    {
        message.Prepare(EncodingConstraint.SevenBit);
        using var stream = new MemoryStream();
        message.WriteTo(WireFormat, stream);
        return stream.ToArray();
    }

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        format.International = false;
        format.HiddenHeaders.Add(HeaderId.Bcc);
        format.HiddenHeaders.Add(HeaderId.ResentBcc);
        format.HiddenHeaders.Add(HeaderId.ContentLength);
        return format;
    }

    /// <summary>
    /// The message exactly as it goes to SMTP: built, then, when the channel has a DKIM key, signed as
    /// the very last step (<see cref="DkimSigning"/>). Nothing may change it after this.
    /// </summary>
    public static MimeMessage CreateForSending(OutgoingEmail email)
    {
        var message = Create(email);
        if (email.Dkim is { } key)
        {
            DkimSigning.Sign(message, key);
        }

        return message;
    }

    public const string ListUnsubscribe = "List-Unsubscribe";

    public const string ListUnsubscribePost = "List-Unsubscribe-Post";

    /// <summary>Everyone the server must deliver to: To, Cc and Bcc.</summary>
    public static IEnumerable<MailboxAddress> EnvelopeRecipients(OutgoingEmail email) =>
        email.Recipients.Select(r => new MailboxAddress(r.Name, r.Address));
}
