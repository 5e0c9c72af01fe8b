using System.Security.Cryptography;
using System.Text;
using MimeKit;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Infrastructure.Messaging.Inbound;

/// <summary>
/// Reads inbound email with MimeKit, leniently: broken MIME boundaries, unknown or wrong charsets and
/// 8-bit bytes in headers are read as far as they go (8-bit headers as UTF-8, else Latin-1). Header
/// values come out decoded (RFC 2047), on one line and without NUL characters, so nothing read here
/// can put a line break into a header the service writes later.
/// </summary>
public sealed class MimeKitEmailParser : IEmailParser
{
    /// <summary>The longest Message-ID kept as it is; a longer one is replaced by a digest of it.</summary>
    private const int MaxMessageIdLength = 255;
    private const int MaxReferences = 50;
    private const int MaxRecipients = 100;
    private const int MaxFileNameLength = 255;
    private const int MaxNameLength = 200;

    private static readonly ParserOptions Lenient = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Loose,
        ParameterComplianceMode = RfcComplianceMode.Loose,
        AllowAddressesWithoutDomain = true,
        CharsetEncoding = Encoding.UTF8,
    };

    private static readonly string[] BulkPrecedences = ["auto_reply", "bulk", "junk", "list"];

    public Result<ParsedEmail> Parse(byte[] raw)
    {
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            message = MimeMessage.Load(Lenient, stream);
        }
        catch (FormatException exception)
        {
            return Error.Validation("body", $"The body is not an email (RFC 5322): {OneLine(exception.Message, 200)}");
        }

        if (message.Headers.Count == 0)
        {
            return Error.Validation("body", "The body has no header block; it is not an email (RFC 5322).");
        }

        var html = Clean(message.HtmlBody);
        var text = Clean(message.TextBody);
        if (string.IsNullOrEmpty(text) && !string.IsNullOrEmpty(html))
        {
            text = HtmlText.ToPlainText(html);
        }

        return new ParsedEmail
        {
            MessageId = MessageId(message.MessageId),
            InReplyTo = MessageId(message.InReplyTo),
            References = [.. message.References.Select(MessageId).OfType<string>().TakeLast(MaxReferences)],
            From = Mailbox(message.From.Mailboxes.FirstOrDefault() ?? message.Sender),
            ReplyTo = Mailbox(message.ReplyTo.Mailboxes.FirstOrDefault()),
            To = [.. message.To.Mailboxes.Take(MaxRecipients).Select(Mailbox).OfType<ParsedMailbox>()],
            Cc = [.. message.Cc.Mailboxes.Take(MaxRecipients).Select(Mailbox).OfType<ParsedMailbox>()],
            Date = message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue ? message.Date : null,
            Subject = OneLine(message.Subject, Message.SubjectMaxLength) ?? string.Empty,
            TextBody = text,
            HtmlBody = html,
            Attachments = Attachments(message),
            AutoReply = IsAutoReply(message.Headers),
            ContentType = message.Body?.ContentType.MimeType.ToLowerInvariant() ?? "text/plain",
            ReportType = (message.Body as MultipartReport)?.ReportType?.ToLowerInvariant(),
        };
    }

    /// <summary>Auto-Submitted other than <c>no</c> (RFC 3834), X-Autoreply, X-Autorespond, Precedence auto_reply/bulk/junk/list.</summary>
    private static bool IsAutoReply(HeaderList headers)
    {
        if (headers[HeaderId.AutoSubmitted] is { } submitted && !submitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (headers.Contains("X-Autoreply") || headers.Contains("X-Autorespond"))
        {
            return true;
        }

        var precedence = headers[HeaderId.Precedence]?.Trim().ToLowerInvariant();
        return precedence is not null && BulkPrecedences.Contains(precedence);
    }

    private static List<ParsedAttachment> Attachments(MimeMessage message)
    {
        var attachments = new List<ParsedAttachment>();
        foreach (var entity in message.Attachments)
        {
            using var content = new MemoryStream();
            string? fileName = null;
            switch (entity)
            {
                case MimePart part:
                    part.Content?.DecodeTo(content);
                    fileName = part.FileName;
                    break;
                case MessagePart attached:
                    attached.Message?.WriteTo(content);
                    fileName = attached.ContentDisposition?.FileName;
                    break;
                default:
                    continue;
            }

            attachments.Add(new ParsedAttachment(
                OneLine(fileName?.Replace('/', '_').Replace('\\', '_'), MaxFileNameLength),
                OneLine(entity.ContentType.MimeType.ToLowerInvariant(), 255) ?? "application/octet-stream",
                content.ToArray()));
        }

        return attachments;
    }

    private static ParsedMailbox? Mailbox(MailboxAddress? mailbox)
    {
        var address = OneLine(mailbox?.Address, 320);
        return string.IsNullOrEmpty(address) ? null : new ParsedMailbox(address, OneLine(mailbox!.Name, MaxNameLength));
    }

    /// <summary>A Message-ID as stored: one token; a longer one than the column holds becomes a digest of itself.</summary>
    private static string? MessageId(string? value)
    {
        var id = OneLine(value, int.MaxValue)?.Trim('<', '>').Replace(" ", string.Empty, StringComparison.Ordinal);
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        return id.Length <= MaxMessageIdLength
            ? id
            : $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..40]}@long-message-id.invalid";
    }

    /// <summary>Header text on one line: CR, LF and tabs become spaces, NUL and other control characters go, at most <paramref name="max"/> characters.</summary>
    private static string? OneLine(string? value, int max)
    {
        if (value is null)
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(value.Length, max));
        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\t')
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }
            }
            else if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        var line = builder.ToString().Trim();
        if (line.Length > max)
        {
            line = line[..max].TrimEnd();
        }

        return line.Length == 0 ? null : line;
    }

    /// <summary>Body text as stored: NUL characters removed (PostgreSQL text cannot hold them).</summary>
    private static string? Clean(string? body) =>
        string.IsNullOrEmpty(body) ? null : body.Contains('\0', StringComparison.Ordinal) ? body.Replace("\0", string.Empty, StringComparison.Ordinal) : body;
}
