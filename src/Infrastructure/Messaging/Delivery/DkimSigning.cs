using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Modular.Application.Messaging.Ports;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// DKIM-signs an outgoing message (RFC 6376, rsa-sha256, relaxed/relaxed). The body is first prepared
/// for a 7-bit transport (quoted-printable or base64 where needed, lines within 78 characters), so the
/// bytes signed are the bytes any relay gets: MailKit's <c>SmtpClient</c> leaves a signed message as it is
/// rather than re-encoding it for a server without 8BITMIME, and both write with CRLF line endings.
/// </summary>
public static class DkimSigning
{
    /// <summary>The headers signed (those present; MimeKit leaves out the absent ones).</summary>
    public static readonly IReadOnlyList<string> SignedHeaders =
    [
        "From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To",
        "MIME-Version", "Content-Type", MimeMessageFactory.ListUnsubscribe, MimeMessageFactory.ListUnsubscribePost,
    ];

    /// <summary>How the message is written when signed and when sent: CRLF line endings, as SMTP writes it.</summary>
    public static FormatOptions Format { get; } = CreateFormat();

    public static void Sign(MimeMessage message, DkimSigningKey key)
    {
        message.Prepare(EncodingConstraint.SevenBit, 78);
        using var pem = new MemoryStream(Encoding.ASCII.GetBytes(key.PrivateKeyPem));
        var signer = new DkimSigner(pem, key.Domain, key.Selector, DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        // Content-Type and MIME-Version are the body's and the writer's, not in message.Headers: MimeKit
        // signs them as they are written; a listed header that is absent is left out.
        var present = SignedHeaders.Where(name => message.Headers.Contains(name) || name is "Content-Type" or "MIME-Version").ToList();
        signer.Sign(Format, message, present);
    }

    private static FormatOptions CreateFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
