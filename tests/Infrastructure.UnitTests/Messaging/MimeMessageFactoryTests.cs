using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Infrastructure.UnitTests.Messaging;

public sealed class MimeMessageFactoryTests
{
    private static OutgoingEmail Email(Func<OutgoingEmail, OutgoingEmail>? change = null)
    {
        var email = new OutgoingEmail
        {
            From = new Mailbox(EmailAddress.Parse("support@acme.example.com", "from").Value, "Acme Support"),
            Recipients =
            [
                new Recipient(RecipientKind.To, "ann@customer.example.com", "Ann"),
                new Recipient(RecipientKind.Cc, "cc@customer.example.com"),
                new Recipient(RecipientKind.Bcc, "hidden@customer.example.com"),
            ],
            Subject = "Your order",
            TextBody = "It ships today.",
            MessageId = "abc123@acme.example.com",
            Date = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero),
            EnvelopeFrom = "support@acme.example.com",
        };
        return change is null ? email : change(email);
    }

    [Fact]
    public void Plain_body_is_a_single_text_part()
    {
        var message = MimeMessageFactory.Create(Email());

        var part = Assert.IsType<TextPart>(message.Body);
        Assert.True(part.IsPlain);
        Assert.Equal("It ships today.", part.Text);
    }

    [Fact]
    public void Html_body_gets_a_derived_text_alternative()
    {
        var message = MimeMessageFactory.Create(Email(e => e with { TextBody = null, HtmlBody = "<p>It ships <b>today</b>.</p>" }));

        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal("It ships today.", message.TextBody?.Trim());
        Assert.Contains("<b>today</b>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(2, alternative.Count);
    }

    [Fact]
    public void Given_plain_text_is_used_as_the_alternative()
    {
        var message = MimeMessageFactory.Create(Email(e => e with { TextBody = "Plain version", HtmlBody = "<p>Rich version</p>" }));

        Assert.Equal("Plain version", message.TextBody?.Trim());
        Assert.Contains("Rich version", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Attachments_make_it_multipart_mixed()
    {
        var attachment = new FetchedAttachment("invoice.pdf", "application/pdf", [1, 2, 3]);
        var message = MimeMessageFactory.Create(Email(e => e with { Attachments = [attachment] }));

        Assert.IsType<Multipart>(message.Body);
        Assert.Equal("multipart/mixed", message.Body.ContentType.MimeType);
        var part = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("invoice.pdf", part.FileName);
        Assert.Equal("application/pdf", part.ContentType.MimeType);
    }

    [Fact]
    public void Bcc_is_never_a_header_but_is_in_the_envelope()
    {
        var email = Email();
        var message = MimeMessageFactory.Create(email);

        Assert.Empty(message.Bcc);
        Assert.DoesNotContain(message.Headers, h => h.Field.Equals("Bcc", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(MimeMessageFactory.EnvelopeRecipients(email), m => m.Address == "hidden@customer.example.com");
        Assert.Equal(3, MimeMessageFactory.EnvelopeRecipients(email).Count());
    }

    [Fact]
    public void Headers_carry_from_display_name_to_cc_and_reply_to()
    {
        var message = MimeMessageFactory.Create(Email(e => e with
        {
            ReplyTo = new Mailbox(EmailAddress.Parse("help@acme.example.com", "reply_to").Value, "Help"),
        }));

        var from = Assert.Single(message.From.Mailboxes);
        Assert.Equal("Acme Support", from.Name);
        Assert.Equal("support@acme.example.com", from.Address);
        Assert.Equal("ann@customer.example.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("cc@customer.example.com", Assert.Single(message.Cc.Mailboxes).Address);
        Assert.Equal("help@acme.example.com", Assert.Single(message.ReplyTo.Mailboxes).Address);
        Assert.Null(message.Sender);
    }

    [Fact]
    public void Custom_sender_puts_the_channel_address_in_Sender()
    {
        var message = MimeMessageFactory.Create(Email(e => e with
        {
            From = new Mailbox(EmailAddress.Parse("ceo@acme.example.com", "sender_email").Value, "The CEO"),
            Sender = "support@acme.example.com",
        }));

        Assert.Equal("ceo@acme.example.com", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal("support@acme.example.com", message.Sender?.Address);
    }

    [Fact]
    public void Threading_headers_are_set_for_a_follow_up()
    {
        var message = MimeMessageFactory.Create(Email(e => e with
        {
            InReplyTo = "second@acme.example.com",
            References = ["first@acme.example.com", "second@acme.example.com"],
        }));

        Assert.Equal("abc123@acme.example.com", message.MessageId);
        Assert.Equal("second@acme.example.com", message.InReplyTo);
        Assert.Equal(["first@acme.example.com", "second@acme.example.com"], message.References);
    }
}
