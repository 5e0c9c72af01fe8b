using Modular.Domain.Common;

namespace Modular.Domain.Conversations;

public enum ConversationStatus
{
    Open,
    Closed,
    Automated,
    Spam,
}

public enum ParticipantRole
{
    To,
    Cc,
}

/// <summary>Raised when a closed conversation opens again because the contact wrote.</summary>
public sealed record ConversationReopened(long ConversationId) : IDomainEvent;

/// <summary>An outside address taking part in a conversation.</summary>
public sealed record Participant(string Address, ParticipantRole Role);

/// <summary>
/// An email thread between the organization (one channel, optionally one inbox) and its participants.
/// Its messages share one Message-ID chain.
/// </summary>
public sealed class Conversation : AggregateRoot, ITenantOwned
{
    public const int TitleMaxLength = 998;

    /// <summary>What an erased title reads as.</summary>
    public const string ErasedText = "[erased]";

    private List<Participant> _participants = [];

    private Conversation()
    {
        Title = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public long ChannelId { get; private set; }

    public long? InboxId { get; private set; }

    /// <summary>The contact the thread was started with, when there is one.</summary>
    public long? ContactId { get; private set; }

    /// <summary>The thread's subject.</summary>
    public string Title { get; private set; }

    public ConversationStatus Status { get; private set; }

    public IReadOnlyList<Participant> Participants => _participants;

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset LastMessageAt { get; private set; }

    public static Result<Conversation> Start(
        long organizationId,
        long channelId,
        long? inboxId,
        long? contactId,
        string? title,
        IEnumerable<Participant> participants,
        ConversationStatus status,
        DateTimeOffset now)
    {
        var trimmed = title?.Trim() ?? string.Empty;
        if (HeaderText.HasLineBreak(trimmed) || trimmed.Length > TitleMaxLength)
        {
            return Error.Validation("title", $"A title has at most {TitleMaxLength} characters and no line break.");
        }

        var distinct = participants
            .GroupBy(p => p.Address.ToLowerInvariant())
            .Select(g => g.OrderBy(p => p.Role).First())
            .ToList();
        if (distinct.Count == 0)
        {
            return Error.Validation("participants", "A conversation needs at least one participant.");
        }

        return new Conversation
        {
            OrganizationId = organizationId,
            ChannelId = channelId,
            InboxId = inboxId,
            ContactId = contactId,
            Title = trimmed,
            Status = status,
            _participants = distinct,
            CreatedAt = now,
            UpdatedAt = now,
            LastMessageAt = now,
        };
    }

    /// <summary>
    /// Removes an erased contact's traces from the thread: its address among the participants becomes
    /// <paramref name="placeholder"/>, and the title (a subject, which may name them) is erased. The
    /// conversation itself stays, with its status and times, so it is still counted.
    /// </summary>
    public void ErasePersonalData(string normalizedAddress, string placeholder, DateTimeOffset now)
    {
        _participants = [.. _participants.Select(p =>
            string.Equals(p.Address, normalizedAddress, StringComparison.OrdinalIgnoreCase) ? p with { Address = placeholder } : p)];
        Title = ErasedText;
        UpdatedAt = now;
    }

    public void ChangeStatus(ConversationStatus status, DateTimeOffset now)
    {
        Status = status;
        UpdatedAt = now;
    }

    /// <summary>Notes that a message joined the thread.</summary>
    public void RecordMessage(DateTimeOffset now)
    {
        LastMessageAt = now;
        UpdatedAt = now;
    }

    /// <summary>
    /// Notes that an inbound message joined the thread: a closed conversation opens again, unless the
    /// message is an automatic answer (an out-of-office reopens nothing).
    /// </summary>
    public void ReceiveMessage(bool autoReply, DateTimeOffset now)
    {
        RecordMessage(now);
        if (!autoReply && Status == ConversationStatus.Closed)
        {
            Status = ConversationStatus.Open;
            Raise(new ConversationReopened(Id));
        }
    }
}
