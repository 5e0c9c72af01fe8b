using MailKit.Net.Smtp;
using MimeKit;
using Modular.Domain.Messaging;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// An SMTP client that records each recipient's reply to <c>RCPT TO</c> instead of giving up at the first
/// refusal, so a message goes to the recipients the server accepts. When it accepts none, the send fails
/// with an <see cref="SmtpCommandException"/> (MailKit then resets the transaction) and
/// <see cref="NoneAccepted"/> says why. One client serves one delivery at a time.
/// </summary>
internal sealed class RecordingSmtpClient : SmtpClient
{
    private readonly List<RecipientReply> _recipients = [];

    /// <summary>The replies to this transaction's <c>RCPT TO</c> commands, in order.</summary>
    public IReadOnlyList<RecipientReply> Recipients => _recipients;

    /// <summary>True when the server refused every recipient of this transaction.</summary>
    public bool NoneAccepted { get; private set; }

    /// <summary>Transactions that went through on this connection.</summary>
    public int MessagesSent { get; private set; }

    /// <summary>Forgets the previous transaction's replies: call before each send.</summary>
    public void BeginTransaction()
    {
        _recipients.Clear();
        NoneAccepted = false;
    }

    /// <summary>Counts a message the server accepted on this connection.</summary>
    public void CountSent() => MessagesSent++;

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _recipients.Add(new RecipientReply(mailbox.Address, SmtpReply.Parse((int)response.StatusCode, response.Response)));

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _recipients.Add(new RecipientReply(mailbox.Address, SmtpReply.Parse((int)response.StatusCode, response.Response)));

    protected override void OnNoRecipientsAccepted(MimeMessage message)
    {
        NoneAccepted = true;
        var last = _recipients.Count > 0 ? _recipients[^1].Reply.Code : (int)SmtpStatusCode.MailboxUnavailable;
        throw new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, (SmtpStatusCode)last, "The server accepted none of the recipients.");
    }
}
