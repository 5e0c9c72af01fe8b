using Modular.Application.Messaging;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.UnitTests.Messaging;

/// <summary>The send use cases' look-ups, run over in-memory lists.</summary>
public sealed class MessagingSpecificationTests
{
    private static readonly List<Contact> Contacts =
    [
        Aggregates.Contact(1, "Ann.Lee@Example.com"),
        Aggregates.Contact(2, "bob@example.com"),
        Aggregates.Contact(3, "cid@example.com"),
    ];

    [Fact]
    public void Contacts_by_emails_finds_each_contact_with_one_of_the_normalized_addresses()
    {
        var found = new ContactsByEmailsSpec(["ann.lee@example.com", "cid@example.com", "nobody@example.com"]).Evaluate(Contacts);

        Assert.Equal([1L, 3], found.Select(c => c.Id).Order());
    }

    [Fact]
    public void Contacts_by_emails_compares_normalized_addresses_only() =>
        Assert.Empty(new ContactsByEmailsSpec(["Ann.Lee@Example.com", "BOB@EXAMPLE.COM"]).Evaluate(Contacts));

    [Fact]
    public void Contacts_by_no_emails_finds_nothing() =>
        Assert.Empty(new ContactsByEmailsSpec([]).Evaluate(Contacts));

    [Fact]
    public void Latest_conversation_is_the_contacts_most_recently_active_one_on_the_channel()
    {
        List<Conversation> conversations =
        [
            Aggregates.Conversation(1, channelId: 5, contactId: 1, lastMessageAt: Clock.Later(10)),
            Aggregates.Conversation(2, channelId: 5, contactId: 1, lastMessageAt: Clock.Later(30)),
            Aggregates.Conversation(3, channelId: 5, contactId: 1, lastMessageAt: Clock.Later(20)),
            Aggregates.Conversation(4, channelId: 6, contactId: 1, lastMessageAt: Clock.Later(90)),
            Aggregates.Conversation(5, channelId: 5, contactId: 2, lastMessageAt: Clock.Later(90)),
        ];

        var spec = new LatestConversationSpec(contactId: 1, channelId: 5);

        Assert.Equal(2, Assert.Single(spec.Evaluate(conversations)).Id);
        Assert.Equal(1, spec.Take);
    }

    [Fact]
    public void Latest_conversation_follows_activity_not_creation()
    {
        var older = Aggregates.Conversation(1, channelId: 5, contactId: 1, lastMessageAt: Clock.Now);
        var newer = Aggregates.Conversation(2, channelId: 5, contactId: 1, lastMessageAt: Clock.Later(5));
        older.RecordMessage(Clock.Later(60));

        Assert.Equal(1, Assert.Single(new LatestConversationSpec(1, 5).Evaluate([older, newer])).Id);
    }

    [Fact]
    public void Latest_conversation_breaks_a_tie_by_the_highest_id()
    {
        List<Conversation> conversations =
        [
            Aggregates.Conversation(4, channelId: 5, contactId: 1),
            Aggregates.Conversation(9, channelId: 5, contactId: 1),
            Aggregates.Conversation(6, channelId: 5, contactId: 1),
        ];

        Assert.Equal(9, Assert.Single(new LatestConversationSpec(1, 5).Evaluate(conversations)).Id);
    }

    [Fact]
    public void Latest_conversation_is_none_when_the_contact_has_none_on_the_channel()
    {
        List<Conversation> conversations =
        [
            Aggregates.Conversation(1, channelId: 6, contactId: 1),
            Aggregates.Conversation(2, channelId: 5, contactId: 2),
            Aggregates.Conversation(3, channelId: 5, contactId: null),
        ];

        Assert.Empty(new LatestConversationSpec(1, 5).Evaluate(conversations));
    }

    [Fact]
    public void Latest_message_is_the_conversations_newest_untracked()
    {
        List<Message> messages =
        [
            Aggregates.Message(1, conversationId: 10, createdAt: Clock.Later(1)),
            Aggregates.Message(3, conversationId: 10, createdAt: Clock.Later(3)),
            Aggregates.Message(2, conversationId: 10, createdAt: Clock.Later(2)),
            Aggregates.Message(4, conversationId: 11, createdAt: Clock.Later(9)),
        ];

        var spec = new LatestMessageSpec(10);

        Assert.Equal(3, Assert.Single(spec.Evaluate(messages)).Id);
        Assert.Equal(1, spec.Take);
        Assert.True(spec.AsNoTracking);
    }

    [Fact]
    public void Latest_message_breaks_a_tie_by_the_highest_id()
    {
        List<Message> messages =
        [
            Aggregates.Message(7, conversationId: 10),
            Aggregates.Message(8, conversationId: 10),
            Aggregates.Message(5, conversationId: 10),
        ];

        Assert.Equal(8, Assert.Single(new LatestMessageSpec(10).Evaluate(messages)).Id);
    }

    [Fact]
    public void Latest_message_of_an_empty_conversation_is_none() =>
        Assert.Empty(new LatestMessageSpec(10).Evaluate([Aggregates.Message(1, conversationId: 11)]));
}
