using Modular.Application.Conversations.ListConversations;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Conversations;

namespace Modular.Application.UnitTests.Conversations;

/// <summary><c>GET /v1/conversations</c> filters, ordering and paging, run over an in-memory list.</summary>
public sealed class ConversationsPageSpecTests
{
    private static readonly ListConversationsQuery NoFilter = new(null, null, null, null, null, null);

    // Stored out of order; ids 4 and 5 share the latest activity (the tie goes to the higher id).
    private static readonly List<Conversation> Conversations =
    [
        Aggregates.Conversation(1, channelId: 1, contactId: 10, inboxId: null, ConversationStatus.Open, Clock.Later(10)),
        Aggregates.Conversation(4, channelId: 2, contactId: 11, inboxId: 20, ConversationStatus.Closed, Clock.Later(50)),
        Aggregates.Conversation(2, channelId: 1, contactId: 11, inboxId: 20, ConversationStatus.Automated, Clock.Later(30)),
        Aggregates.Conversation(5, channelId: 1, contactId: 10, inboxId: 21, ConversationStatus.Spam, Clock.Later(50)),
        Aggregates.Conversation(3, channelId: 2, contactId: null, inboxId: 21, ConversationStatus.Open, Clock.Later(40)),
        Aggregates.Conversation(6, channelId: 1, contactId: 12, inboxId: 20, ConversationStatus.Open, Clock.Later(5)),
    ];

    [Fact]
    public void Without_filters_every_conversation_is_listed_most_recently_active_first()
    {
        var spec = new ConversationsPageSpec(NoFilter, paged: false);

        Assert.Equal([5L, 4, 3, 2, 1, 6], Ids(spec));
        Assert.Empty(spec.WhereExpressions);
        Assert.True(spec.AsNoTracking);
    }

    [Fact]
    public void Activity_after_creation_moves_a_conversation_up()
    {
        var quiet = Aggregates.Conversation(1, lastMessageAt: Clock.Now);
        var busy = Aggregates.Conversation(2, lastMessageAt: Clock.Later(1));
        quiet.RecordMessage(Clock.Later(2));

        Assert.Equal([1L, 2], new ConversationsPageSpec(NoFilter, paged: false).Evaluate([busy, quiet]).Select(c => c.Id));
    }

    [Theory]
    [InlineData(new[] { "open" }, new long[] { 3, 1, 6 })]
    [InlineData(new[] { "closed" }, new long[] { 4 })]
    [InlineData(new[] { "automated" }, new long[] { 2 })]
    [InlineData(new[] { "spam" }, new long[] { 5 })]
    [InlineData(new[] { "open", "spam" }, new long[] { 5, 3, 1, 6 })]
    [InlineData(new[] { "OPEN", "Closed" }, new long[] { 4, 3, 1, 6 })]
    [InlineData(new string[0], new long[] { 5, 4, 3, 2, 1, 6 })]
    public void Statuses_filter_to_conversations_in_any_of_them(string[] statuses, long[] expected) =>
        Assert.Equal(expected, Ids(new ConversationsPageSpec(NoFilter with { Status = statuses }, paged: false)));

    [Fact]
    public void Channel_filters_to_that_channel() =>
        Assert.Equal([3L, 4], Ids(new ConversationsPageSpec(NoFilter with { ChannelId = 2 }, paged: false)).Order());

    [Fact]
    public void Inbox_filters_to_that_inbox() =>
        Assert.Equal([4L, 2, 6], Ids(new ConversationsPageSpec(NoFilter with { InboxId = 20 }, paged: false)));

    [Fact]
    public void Contact_filters_to_that_contact() =>
        Assert.Equal([5L, 1], Ids(new ConversationsPageSpec(NoFilter with { ContactId = 10 }, paged: false)));

    [Fact]
    public void Filters_combine()
    {
        var filter = NoFilter with { Status = ["open", "automated"], ChannelId = 1, InboxId = 20 };

        Assert.Equal([2L, 6], Ids(new ConversationsPageSpec(filter, paged: false)));
        Assert.Empty(Ids(new ConversationsPageSpec(filter with { ContactId = 10 }, paged: false)));
    }

    [Fact]
    public void A_filter_that_matches_nothing_lists_nothing()
    {
        Assert.Empty(Ids(new ConversationsPageSpec(NoFilter with { ChannelId = 99 }, paged: false)));
        Assert.Empty(Ids(new ConversationsPageSpec(NoFilter with { InboxId = 99 }, paged: false)));
        Assert.Empty(Ids(new ConversationsPageSpec(NoFilter with { ContactId = 99 }, paged: false)));
    }

    [Theory]
    [InlineData(null, null, new long[] { 5, 4, 3, 2, 1, 6 })]
    [InlineData(2, 0, new long[] { 5, 4 })]
    [InlineData(2, 2, new long[] { 3, 2 })]
    [InlineData(2, 4, new long[] { 1, 6 })]
    [InlineData(2, 5, new long[] { 6 })]
    [InlineData(50, 6, new long[0])]
    public void A_page_is_taken_after_filtering_and_ordering(int? limit, int? offset, long[] expected)
    {
        var spec = new ConversationsPageSpec(NoFilter with { Limit = limit, Offset = offset }, paged: true);

        Assert.Equal(expected, Ids(spec));
        Assert.Equal(offset ?? 0, spec.Skip);
        Assert.Equal(limit ?? 50, spec.Take);
    }

    [Fact]
    public void Paging_applies_to_the_filtered_list() =>
        Assert.Equal([1L, 6], Ids(new ConversationsPageSpec(NoFilter with { Status = ["open"], Limit = 5, Offset = 1 }, paged: true)));

    [Fact]
    public void The_unpaged_spec_counts_every_match()
    {
        var spec = new ConversationsPageSpec(NoFilter with { Limit = 1, Offset = 3 }, paged: false);

        Assert.Equal(-1, spec.Skip); // Ardalis.Specification: -1 = not set
        Assert.Equal(-1, spec.Take); // Ardalis.Specification: -1 = not set
        Assert.Equal(6, Ids(spec).Count);
    }

    private static List<long> Ids(ConversationsPageSpec spec) => [.. spec.Evaluate(Conversations).Select(c => c.Id)];
}
