using Modular.Application.Channels;
using Modular.Application.Messaging.GetMessageSource;
using Modular.Application.Messaging.ReceiveEmail;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Messaging;

public sealed class InboundValidatorTests
{
    private readonly ReceiveEmailValidator _receive = new();
    private readonly GetMessageAttachmentValidator _attachment = new();
    private readonly ImapInputValidator _imap = new();

    [Fact]
    public void A_received_email_needs_a_channel_and_some_bytes()
    {
        ValidationAssert.Valid(_receive.Validate(new ReceiveEmailCommand(3, [65])));
        ValidationAssert.FailsOnlyOn(_receive.Validate(new ReceiveEmailCommand(3, [])), "body");
        ValidationAssert.FailsOnlyOn(_receive.Validate(new ReceiveEmailCommand(0, [65])), "ChannelId");
    }

    [Fact]
    public void An_attachment_index_starts_at_zero()
    {
        ValidationAssert.Valid(_attachment.Validate(new GetMessageAttachmentQuery(1, 0)));
        ValidationAssert.FailsOnlyOn(_attachment.Validate(new GetMessageAttachmentQuery(1, -1)), "Index");
    }

    [Fact]
    public void A_mailbox_needs_a_host_and_a_user_and_a_known_security_mode()
    {
        var valid = new ImapInput("imap.example.com", 993, "ssl", "support@example.com", "secret", "INBOX");
        ValidationAssert.Valid(_imap.Validate(valid));
        ValidationAssert.Valid(_imap.Validate(valid with { Port = null, Security = null, Folder = null }));
        ValidationAssert.FailsOnlyOn(_imap.Validate(valid with { Host = "imap example.com" }), "Host");
        ValidationAssert.FailsOnlyOn(_imap.Validate(valid with { Username = "" }), "Username");
        ValidationAssert.FailsOnlyOn(_imap.Validate(valid with { Security = "tls" }), "Security");
        ValidationAssert.FailsOnlyOn(_imap.Validate(valid with { Port = 0 }), "Port");
        ValidationAssert.FailsOnlyOn(_imap.Validate(valid with { Folder = "In\r\nbox" }), "Folder");
    }
}
