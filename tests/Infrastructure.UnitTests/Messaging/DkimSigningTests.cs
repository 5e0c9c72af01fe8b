using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Infrastructure.UnitTests.Messaging;

public sealed class DkimSigningTests
{
    private static readonly RSA Key = RSA.Create(2048);

    private static OutgoingEmail Email(DkimSigningKey? dkim, IReadOnlyList<string>? unsubscribe = null, bool oneClick = false) => new()
    {
        From = new Mailbox(EmailAddress.Parse("support@acme.example.com", "from").Value, "Zoë Support"),
        Recipients = [new Recipient(RecipientKind.To, "ann@customer.example.com", "Ann Ångström")],
        Subject = "Grüße",
        HtmlBody = "<p>Grüße aus Köln " + new string('x', 400) + "</p>",
        MessageId = "abc123@acme.example.com",
        Date = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero),
        EnvelopeFrom = "support@acme.example.com",
        ListUnsubscribe = unsubscribe ?? [],
        ListUnsubscribeOneClick = oneClick,
        Dkim = dkim,
    };

    [Fact]
    public void Unsubscribe_targets_become_the_rfc_2369_and_8058_headers()
    {
        var message = MimeMessageFactory.Create(Email(null, ["https://modular.test/u/t1", "mailto:support+unsubscribe-t1@acme.example.com?subject=unsubscribe"], oneClick: true));

        Assert.Equal("<https://modular.test/u/t1>, <mailto:support+unsubscribe-t1@acme.example.com?subject=unsubscribe>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public void Without_targets_or_without_one_click_the_headers_are_left_out()
    {
        Assert.Null(MimeMessageFactory.Create(Email(null)).Headers["List-Unsubscribe"]);
        var mailtoOnly = MimeMessageFactory.Create(Email(null, ["mailto:support+unsubscribe-t1@acme.example.com"]));
        Assert.NotNull(mailtoOnly.Headers["List-Unsubscribe"]);
        Assert.Null(mailtoOnly.Headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public void A_message_with_a_key_is_signed_over_a_seven_bit_body_and_verifies()
    {
        var message = MimeMessageFactory.CreateForSending(Email(new DkimSigningKey("acme.example.com", "s1", Key.ExportRSAPrivateKeyPem()), ["mailto:x@acme.example.com"]));

        var signature = message.Headers[HeaderId.DkimSignature];
        Assert.NotNull(signature);
        Assert.Contains("s=s1", signature, StringComparison.Ordinal);
        Assert.All(message.BodyParts.OfType<MimePart>(), part => Assert.NotEqual(ContentEncoding.EightBit, part.ContentTransferEncoding));
        var verifier = new DkimVerifier(new PublicKeyLocator(Key));
        Assert.True(verifier.Verify(DkimSigning.Format, message, message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)]));
    }

    [Fact]
    public void A_message_without_a_key_is_not_signed() =>
        Assert.False(MimeMessageFactory.CreateForSending(Email(null)).Headers.Contains(HeaderId.DkimSignature));

    [Fact]
    public void The_key_never_shows_in_the_signing_key_text() =>
        Assert.DoesNotContain("PRIVATE", new DkimSigningKey("acme.example.com", "s1", Key.ExportRSAPrivateKeyPem()).ToString(), StringComparison.Ordinal);

    private sealed class PublicKeyLocator(RSA rsa) : DkimPublicKeyLocatorBase
    {
        public override Org.BouncyCastle.Crypto.AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));

        public override Task<Org.BouncyCastle.Crypto.AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }
}
