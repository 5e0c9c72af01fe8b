using System.Text.Json;
using MimeKit;

namespace Modular.Benchmarks;

/// <summary>
/// The one email of the benchmark: the service is asked to send <see cref="Html"/> (it builds a
/// multipart/alternative message with a text part derived from it, about 2 KB), and the MailKit ceiling
/// sends the equivalent MIME message that <see cref="CreateMime"/> builds.
/// </summary>
internal static class BenchMessage
{
    public const string Subject = "Your order has shipped";

    public const string Html =
        "<html><body>" +
        "<h1>Your order has shipped</h1>" +
        "<p>Hello Carol,</p>" +
        "<p>Good news: your order <b>#100234</b> left our warehouse this morning and is on its way. " +
        "It should reach you within two to three working days.</p>" +
        "<ul><li>1 &times; Ceramic coffee mug, blue</li><li>2 &times; Linen napkins, set of four</li>" +
        "<li>1 &times; Walnut serving board</li></ul>" +
        "<p>You can follow the parcel at <a href=\"https://shop.example.com/track/100234\">shop.example.com/track/100234</a>. " +
        "If anything is missing or damaged, reply to this email and our support team will sort it out.</p>" +
        "<p>Thank you for shopping with us,<br>The Example Shop team</p>" +
        "<p style=\"color:#888;font-size:12px\">Example Shop, 1 Market Street, Springfield. " +
        "You receive this email because you placed an order with us.</p>" +
        "</body></html>";

    /// <summary>The text alternative, as the service derives it from <see cref="Html"/>.</summary>
    public const string Text =
        "Your order has shipped\n\n" +
        "Hello Carol,\n\n" +
        "Good news: your order #100234 left our warehouse this morning and is on its way. " +
        "It should reach you within two to three working days.\n\n" +
        "- 1 \u00d7 Ceramic coffee mug, blue\n- 2 \u00d7 Linen napkins, set of four\n- 1 \u00d7 Walnut serving board\n\n" +
        "You can follow the parcel at shop.example.com/track/100234 (https://shop.example.com/track/100234). " +
        "If anything is missing or damaged, reply to this email and our support team will sort it out.\n\n" +
        "Thank you for shopping with us,\nThe Example Shop team\n\n" +
        "Example Shop, 1 Market Street, Springfield. You receive this email because you placed an order with us.";

    /// <summary><see cref="Html"/> as a JSON string literal, quotes included.</summary>
    public static readonly string HtmlJson = JsonSerializer.Serialize(Html);

    public static MimeMessage CreateMime(string from, string to)
    {
        var message = new MimeMessage
        {
            Subject = Subject,
            MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(DeliveryTracker.Domain),
            Date = DateTimeOffset.UtcNow,
        };
        message.From.Add(new MailboxAddress("Benchmark", from));
        message.To.Add(new MailboxAddress(null, to));
        message.Body = new BodyBuilder { HtmlBody = Html, TextBody = Text }.ToMessageBody();
        return message;
    }

    public static long MimeSize(MimeMessage message)
    {
        using var counter = new MimeKit.IO.MeasuringStream();
        message.WriteTo(counter);
        return counter.Length;
    }
}
