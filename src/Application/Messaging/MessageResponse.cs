using Modular.Domain.Messaging;

namespace Modular.Application.Messaging;

/// <summary>A message as Show Conversation and <c>GET /v1/messages/{id}</c> return it.</summary>
public sealed record MessageResponse(
    long Id,
    long ConversationId,
    long ChannelId,
    long? CreatorId,
    string Direction,
    string DeliveryStatus,
    string From,
    string? FromName,
    string? Sender,
    string? ReplyTo,
    IReadOnlyList<string> To,
    IReadOnlyList<string> Cc,
    IReadOnlyList<string> Bcc,
    IReadOnlyList<RecipientResponse> Recipients,
    string Subject,
    string? TextBody,
    string? HtmlBody,
    IReadOnlyList<string> Attachments,
    IReadOnlyList<AttachmentFileResponse> AttachmentFiles,
    bool AutoReply,
    DateTimeOffset? Date,
    string MessageId,
    string? InReplyTo,
    IReadOnlyList<string> References,
    DateTimeOffset? ScheduleAt,
    bool CancelOnReply,
    string? CancelReason,
    DateTimeOffset? SentAt,
    string? Error,
    IReadOnlyList<AttemptResponse> Attempts,
    IReadOnlyList<ComplianceResponse> ComplianceResults,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static MessageResponse Of(Message m) => new(
        m.Id,
        m.ConversationId,
        m.ChannelId,
        m.CreatorUserId,
        m.Direction == MessageDirection.Outbound ? "outbound" : "inbound",
        Message.Format(m.Status),
        m.FromAddress,
        m.FromName,
        m.SenderAddress,
        m.ReplyToAddress,
        Addresses(m, RecipientKind.To),
        Addresses(m, RecipientKind.Cc),
        Addresses(m, RecipientKind.Bcc),
        [.. m.Recipients.Select(RecipientResponse.Of)],
        m.Subject,
        m.TextBody,
        m.HtmlBody,
        m.AttachmentUrls,
        [.. m.ReceivedAttachments.Select(a => new AttachmentFileResponse(a.Index, a.FileName, a.ContentType, a.Size, $"/v1/messages/{m.Id}/attachments/{a.Index}"))],
        m.AutoReply,
        m.Date,
        m.MessageIdHeader,
        m.InReplyTo,
        m.References,
        m.ScheduleAt,
        m.CancelOnReply,
        m.CancelReason,
        m.SentAt,
        m.Error,
        [.. m.Attempts.Select(a => new AttemptResponse(
            a.Number, a.At, a.Outcome.ToString().ToLowerInvariant(), a.Phase.ToString().ToLowerInvariant(), a.ReplyCode, a.ReplyText, a.EnhancedStatus, a.QueueId))],
        [.. m.ComplianceResults.Select(c => new ComplianceResponse(c.Address, c.Reason))],
        m.CreatedAt,
        m.UpdatedAt);

    private static string[] Addresses(Message m, RecipientKind kind) =>
        [.. m.Recipients.Where(r => r.Kind == kind).Select(r => r.Address)];
}

/// <summary>A file that came with an inbound message; <c>url</c> downloads it.</summary>
public sealed record AttachmentFileResponse(int Index, string? FileName, string ContentType, long Size, string Url);

public sealed record AttemptResponse(int Number, DateTimeOffset At, string Outcome, string Phase, int? ReplyCode, string? ReplyText, string? EnhancedStatus, string? QueueId);

/// <summary>
/// One recipient and what became of it: <c>pending</c>, <c>sent</c>, <c>refused</c>, <c>deferred</c>,
/// <c>excluded</c> (with the reason) or <c>bounced</c> (with the bounce's status and diagnostic).
/// </summary>
public sealed record RecipientResponse(string Address, string Kind, string Status, SmtpReplyResponse? Reply, string? Reason, BounceResponse? Bounce = null)
{
    public static RecipientResponse Of(Recipient r) => new(
        r.Address,
        r.Kind.ToString().ToLowerInvariant(),
        r.Status.ToString().ToLowerInvariant(),
        r.Reply is { } reply ? new SmtpReplyResponse(reply.Code, reply.EnhancedStatus, reply.Text, reply.QueueId) : null,
        r.Reason,
        r.Bounce is { } bounce ? new BounceResponse(bounce.Status, bounce.Diagnostic, bounce.At) : null);
}

/// <summary>What a bounce (RFC 3464) reported for a recipient: the RFC 3463 status, the remote server's diagnostic, when it came.</summary>
public sealed record BounceResponse(string Status, string? Diagnostic, DateTimeOffset At);

/// <summary>An SMTP server's reply: code, enhanced status code (RFC 3463), text, and the queue id the text names.</summary>
public sealed record SmtpReplyResponse(int Code, string? EnhancedStatus, string Text, string? QueueId);

public sealed record ComplianceResponse(string Address, string Reason);
