using System.Reflection;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Domain.Inboxes;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;

namespace Modular.Application.UnitTests.Support;

/// <summary>
/// Aggregates made through their factories, with the id the database would give them. <see cref="Entity.Id"/>
/// has a private setter (it is zero until saved), so the id is set by reflection, here only.
/// </summary>
internal static class Aggregates
{
    private static readonly PropertyInfo IdProperty = typeof(Entity).GetProperty(nameof(Entity.Id))!;

    public static T WithId<T>(this T entity, long id)
        where T : Entity
    {
        IdProperty.SetValue(entity, id);
        return entity;
    }

    public static EmailAddress Email(string value) => EmailAddress.Parse(value, "email").Value;

    public static Contact Contact(long id, string email, string? name = null, long organizationId = 1, DateTimeOffset? createdAt = null) =>
        Domain.Contacts.Contact.Create(organizationId, Email(email), name, createdAt ?? Clock.Now).Value.WithId(id);

    public static Channel Channel(long id, string email, string name = "Support") =>
        Domain.Channels.Channel.Create(1, name, Email(email), null, null, Clock.Now).Value.WithId(id);

    public static Inbox Inbox(long id, long channelId, string name = "Team") =>
        Domain.Inboxes.Inbox.Create(1, name, channelId, Clock.Now).Value.WithId(id);

    public static User User(long id, string email, string name = "Ann") =>
        Domain.Organizations.User.Create(1, name, Email(email), Clock.Now).Value.WithId(id);

    /// <summary>A conversation started at <paramref name="lastMessageAt"/> (its last activity), with one To participant.</summary>
    public static Conversation Conversation(
        long id,
        long channelId = 1,
        long? contactId = null,
        long? inboxId = null,
        ConversationStatus status = ConversationStatus.Open,
        DateTimeOffset? lastMessageAt = null,
        string title = "Your order") =>
        Domain.Conversations.Conversation.Start(
            1, channelId, inboxId, contactId, title, [new Participant("ann@example.com", ParticipantRole.To)], status, lastMessageAt ?? Clock.Now).Value.WithId(id);

    /// <summary>An outbound message of a conversation, accepted at <paramref name="createdAt"/>.</summary>
    public static Message Message(
        long id,
        long conversationId,
        DateTimeOffset? createdAt = null,
        string? messageId = null,
        IReadOnlyList<string>? references = null) =>
        Domain.Messaging.Message.CreateOutbound(
            new OutboundDraft
            {
                OrganizationId = 1,
                ConversationId = conversationId,
                ChannelId = 1,
                From = new Mailbox(Email("support@example.com")),
                Recipients = [new Recipient(RecipientKind.To, "ann@example.com")],
                Subject = "Your order",
                TextBody = "Hello",
                MessageIdHeader = messageId ?? $"m{id}@example.com",
                References = references ?? [],
            },
            createdAt ?? Clock.Now).Value.WithId(id);
}
