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
    string Subject,
    string? TextBody,
    string? HtmlBody,
    IReadOnlyList<string> Attachments,
    string MessageId,
    string? InReplyTo,
    IReadOnlyList<string> References,
    DateTimeOffset? ScheduleAt,
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
        m.Subject,
        m.TextBody,
        m.HtmlBody,
        m.AttachmentUrls,
        m.MessageIdHeader,
        m.InReplyTo,
        m.References,
        m.ScheduleAt,
        m.SentAt,
        m.Error,
        [.. m.Attempts.Select(a => new AttemptResponse(
            a.Number, a.At, a.Outcome.ToString().ToLowerInvariant(), a.Phase.ToString().ToLowerInvariant(), a.ReplyCode, a.ReplyText))],
        [.. m.ComplianceResults.Select(c => new ComplianceResponse(c.Address, c.Reason))],
        m.CreatedAt,
        m.UpdatedAt);

    private static string[] Addresses(Message m, RecipientKind kind) =>
        [.. m.Recipients.Where(r => r.Kind == kind).Select(r => r.Address)];
}

public sealed record AttemptResponse(int Number, DateTimeOffset At, string Outcome, string Phase, int? ReplyCode, string? ReplyText);

public sealed record ComplianceResponse(string Address, string Reason);
