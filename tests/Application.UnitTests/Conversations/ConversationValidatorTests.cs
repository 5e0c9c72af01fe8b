using Modular.Application.Conversations.ListConversationMessages;
using Modular.Application.Conversations.ListConversations;
using Modular.Application.Conversations.UpdateConversation;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Conversations;

public sealed class ConversationValidatorTests
{
    private static readonly ListConversationsQuery AllConversations = new(null, null, null, null, null, null);

    private readonly ListConversationsValidator _list = new();
    private readonly ListConversationMessagesValidator _messages = new();
    private readonly UpdateConversationValidator _update = new();

    [Fact]
    public void Listing_conversations_without_filters_is_valid() => ValidationAssert.Valid(_list.Validate(AllConversations));

    [Fact]
    public void Listing_conversations_takes_a_limit_between_1_and_500_and_an_offset_not_below_0()
    {
        ValidationAssert.Valid(_list.Validate(AllConversations with { Limit = 1, Offset = 0 }));
        ValidationAssert.Valid(_list.Validate(AllConversations with { Limit = 500, Offset = 10_000 }));
        ValidationAssert.FailsOnlyOn(_list.Validate(AllConversations with { Limit = 0 }), "limit");
        ValidationAssert.FailsOnlyOn(_list.Validate(AllConversations with { Limit = 501 }), "limit");
        ValidationAssert.FailsOnlyOn(_list.Validate(AllConversations with { Offset = -1 }), "offset");
    }

    [Theory]
    [InlineData("open")]
    [InlineData("closed")]
    [InlineData("automated")]
    [InlineData("spam")]
    [InlineData("OPEN")]
    public void Each_conversation_status_filter_is_a_known_status(string status) =>
        ValidationAssert.Valid(_list.Validate(AllConversations with { Status = [status] }));

    [Fact]
    public void Several_statuses_may_be_asked_for() =>
        ValidationAssert.Valid(_list.Validate(AllConversations with { Status = ["open", "closed", "automated", "spam"], ChannelId = 1, InboxId = 2, ContactId = 3 }));

    [Theory]
    [InlineData("archived")]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("open ")]
    public void An_unknown_status_is_refused_at_its_index(string status)
    {
        var result = _list.Validate(AllConversations with { Status = ["open", status] });

        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(result, "Status[1]"));
        Assert.Equal("Must be one of: open, closed, automated, spam.", failure.ErrorMessage);
    }

    [Fact]
    public void The_first_status_is_named_status_0() =>
        ValidationAssert.FailsOnlyOn(_list.Validate(AllConversations with { Status = ["pending"] }), "Status[0]");

    [Fact]
    public void Listing_messages_takes_the_same_paging()
    {
        ValidationAssert.Valid(_messages.Validate(new ListConversationMessagesQuery(1, null, null)));
        ValidationAssert.Valid(_messages.Validate(new ListConversationMessagesQuery(1, 500, 0)));
        ValidationAssert.FailsOnlyOn(_messages.Validate(new ListConversationMessagesQuery(1, 0, 0)), "limit");
        ValidationAssert.FailsOnlyOn(_messages.Validate(new ListConversationMessagesQuery(1, 501, 0)), "limit");
        ValidationAssert.FailsOnlyOn(_messages.Validate(new ListConversationMessagesQuery(1, null, -1)), "offset");

        var both = _messages.Validate(new ListConversationMessagesQuery(1, -3, -3));
        Assert.Equal(["limit", "offset"], both.Errors.Select(e => e.PropertyName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("closed")]
    [InlineData("automated")]
    [InlineData("spam")]
    [InlineData("Closed")]
    public void A_conversation_may_be_set_to_any_known_status(string status) =>
        ValidationAssert.Valid(_update.Validate(new UpdateConversationCommand(1, status)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Updating_a_conversation_requires_a_status(string? status) =>
        ValidationAssert.FailsOnlyOn(_update.Validate(new UpdateConversationCommand(1, status)), "Status");

    [Theory]
    [InlineData("archived")]
    [InlineData("2")]
    [InlineData(" open")]
    public void Updating_a_conversation_to_an_unknown_status_is_refused(string status)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_update.Validate(new UpdateConversationCommand(1, status)), "Status"));

        Assert.Equal("Must be one of: open, closed, automated, spam.", failure.ErrorMessage);
    }
}
