using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Ports;

/// <summary>An address as it came in a header: decoded (RFC 2047), one line, not yet held to the service's address rules.</summary>
public sealed record ParsedMailbox(string Address, string? Name);

/// <summary>A file that came with an email.</summary>
public sealed record ParsedAttachment(string? FileName, string ContentType, byte[] Content);

/// <summary>
/// An email read from its raw source. Every text value is decoded (RFC 2047, charsets), single-line
/// where it is a header (no CR or LF), free of NUL characters, and within the stored lengths.
/// </summary>
public sealed record ParsedEmail
{
    /// <summary>Message-ID without angle brackets, when the message had a usable one.</summary>
    public string? MessageId { get; init; }
    public string? InReplyTo { get; init; }

    /// <summary>References, oldest first (as in the header).</summary>
    public IReadOnlyList<string> References { get; init; } = [];
    public ParsedMailbox? From { get; init; }
    public ParsedMailbox? ReplyTo { get; init; }
    public IReadOnlyList<ParsedMailbox> To { get; init; } = [];
    public IReadOnlyList<ParsedMailbox> Cc { get; init; } = [];
    public DateTimeOffset? Date { get; init; }
    public string Subject { get; init; } = string.Empty;
    public string? TextBody { get; init; }
    public string? HtmlBody { get; init; }
    public IReadOnlyList<ParsedAttachment> Attachments { get; init; } = [];

    /// <summary>Auto-Submitted other than <c>no</c>, X-Autoreply, X-Autorespond, or Precedence auto_reply, bulk, junk or list.</summary>
    public bool AutoReply { get; init; }

    /// <summary>The top-level MIME type, lower case (<c>multipart/report</c> for delivery-status and feedback reports).</summary>
    public string ContentType { get; init; } = "text/plain";

    /// <summary>The <c>report-type</c> parameter of a <c>multipart/report</c> (<c>delivery-status</c>, <c>feedback-report</c>).</summary>
    public string? ReportType { get; init; }
}

/// <summary>Reads raw RFC 5322 messages. Lenient: broken MIME, unknown charsets and 8-bit garbage are read as far as they go.</summary>
public interface IEmailParser
{
    /// <summary>The email in <paramref name="raw"/>, or a validation error on <c>body</c> when it is not an email at all (no header block).</summary>
    Result<ParsedEmail> Parse(byte[] raw);
}

/// <summary>The bulky parts of messages, stored apart from the messages: raw sources and attachment contents.</summary>
public interface IMessageContentStore
{
    /// <summary>Adds a source to the current unit of work.</summary>
    void Add(MessageSource source);

    /// <summary>Adds an attachment's content to the current unit of work.</summary>
    void Add(MessageAttachmentContent attachment);

    Task<MessageSource?> FindSourceAsync(long messageId, CancellationToken cancellationToken);

    Task<MessageAttachmentContent?> FindAttachmentAsync(long messageId, int index, CancellationToken cancellationToken);

    /// <summary>Removes, in the current unit of work, the sources and attachment contents of these messages (an erasure).</summary>
    Task RemoveAllOfAsync(IReadOnlyCollection<long> messageIds, CancellationToken cancellationToken);
}

/// <summary>Builds the exact bytes an outgoing email is handed to SMTP as (without attachments it has not fetched).</summary>
public interface IEmailRenderer
{
    byte[] Render(OutgoingEmail email);
}
