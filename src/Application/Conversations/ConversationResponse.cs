using System.Text.Json.Serialization;
using Modular.Application.Messaging;
using Modular.Domain.Conversations;

namespace Modular.Application.Conversations;

public sealed record ConversationResponse(
    long Id,
    long ChannelId,
    long? InboxId,
    long? ContactId,
    string Title,
    string Status,
    IReadOnlyList<ParticipantResponse> Participants,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset LastMessageAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MessageResponse>? Messages = null)
{
    public static ConversationResponse From(Conversation c, IReadOnlyList<MessageResponse>? messages = null) => new(
        c.Id,
        c.ChannelId,
        c.InboxId,
        c.ContactId,
        c.Title,
        Format(c.Status),
        [.. c.Participants.Select(p => new ParticipantResponse(p.Address, p.Role == ParticipantRole.To ? "to" : "cc"))],
        c.CreatedAt,
        c.UpdatedAt,
        c.LastMessageAt,
        messages);

    public static readonly string[] Statuses = ["open", "closed", "automated", "spam"];

    public static string Format(ConversationStatus status) => status.ToString().ToLowerInvariant();

    public static ConversationStatus? Parse(string? value) =>
        Enum.TryParse<ConversationStatus>(value, ignoreCase: true, out var status) && Statuses.Contains(value!.ToLowerInvariant())
            ? status
            : null;
}

public sealed record ParticipantResponse(string Address, string Role);
