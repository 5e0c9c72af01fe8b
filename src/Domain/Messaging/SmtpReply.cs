using System.Text.RegularExpressions;

namespace Modular.Domain.Messaging;

/// <summary>
/// An SMTP server's reply: its code, the enhanced status code (RFC 3463, <c>2.0.0</c>) when the text
/// starts with one, the text, and the queue id when the text names one (<c>queued as 4F2A1</c>).
/// </summary>
public sealed partial record SmtpReply(int Code, string? EnhancedStatus, string Text, string? QueueId = null)
{
    /// <summary>A 2xx reply.</summary>
    public bool IsPositive => Code is >= 200 and < 300;

    /// <summary>A 5xx reply: the server refuses for good.</summary>
    public bool IsPermanent => Code >= 500;

    /// <summary>Splits a reply's text into its enhanced status, the rest of the text, and a queue id.</summary>
    public static SmtpReply Parse(int code, string? text)
    {
        var trimmed = (text ?? string.Empty).Trim();
        string? enhanced = null;
        var status = EnhancedStatusCode().Match(trimmed);
        if (status.Success)
        {
            enhanced = status.Groups["status"].Value;
            trimmed = trimmed[status.Length..].TrimStart();
        }

        var queue = QueueIdPattern().Match(trimmed);
        return new SmtpReply(code, enhanced, trimmed, queue.Success ? queue.Groups["id"].Value : null);
    }

    public override string ToString() =>
        EnhancedStatus is null ? $"{Code} {Text}".TrimEnd() : $"{Code} {EnhancedStatus} {Text}".TrimEnd();

    // RFC 3463: class.subject.detail, class 2, 4 or 5.
    [GeneratedRegex(@"^(?<status>[245]\.\d{1,3}\.\d{1,3})(?=\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex EnhancedStatusCode();

    // Postfix "queued as 4F2A1", Exim "id=1abc-000", Sendmail "Message accepted for delivery ... <id>", MS "Queued mail for delivery".
    [GeneratedRegex(@"(?:queued as|id=|queue id)\s*(?<id>[A-Za-z0-9._\-]{3,64})", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex QueueIdPattern();
}

/// <summary>One envelope recipient's reply to <c>RCPT TO</c>.</summary>
public sealed record RecipientReply(string Address, SmtpReply Reply);
