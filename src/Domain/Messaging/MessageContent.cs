using Modular.Domain.Common;

namespace Modular.Domain.Messaging;

/// <summary>
/// The raw source of a message (RFC 5322 bytes): as received for inbound, as handed to SMTP for
/// outbound. Kept apart from the message so that reading messages never loads it.
/// </summary>
public sealed class MessageSource : ITenantOwned
{
    private MessageSource()
    {
        Content = [];
    }

    public long MessageId { get; private set; }

    public long OrganizationId { get; private set; }

    public byte[] Content { get; private set; }

    public static MessageSource Of(long organizationId, long messageId, byte[] content) =>
        new() { OrganizationId = organizationId, MessageId = messageId, Content = content };
}

/// <summary>The content of one file that came with an inbound message (its description is on the message).</summary>
public sealed class MessageAttachmentContent : ITenantOwned
{
    private MessageAttachmentContent()
    {
        ContentType = string.Empty;
        Content = [];
    }

    public long MessageId { get; private set; }

    /// <summary>The file's place among the message's attachments, from 0.</summary>
    public int Index { get; private set; }

    public long OrganizationId { get; private set; }

    public string? FileName { get; private set; }

    public string ContentType { get; private set; }

    public byte[] Content { get; private set; }

    public static MessageAttachmentContent Of(long organizationId, long messageId, ReceivedAttachment attachment, byte[] content) =>
        new()
        {
            OrganizationId = organizationId,
            MessageId = messageId,
            Index = attachment.Index,
            FileName = attachment.FileName,
            ContentType = attachment.ContentType,
            Content = content,
        };
}
