using Modular.Domain.Conversations;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Conversations;

public sealed class ConversationTests
{
    private static readonly Participant[] Ann = [new("ann@example.com", ParticipantRole.To)];

    [Fact]
    public void Conversation_starts_with_its_channel_inbox_contact_title_and_status()
    {
        var conversation = ResultAssert.Success(
            Conversation.Start(3, 9, 4, 7, "  Your order ", Ann, ConversationStatus.Open, Clock.Now));

        Assert.Equal(3, conversation.OrganizationId);
        Assert.Equal(9, conversation.ChannelId);
        Assert.Equal(4, conversation.InboxId);
        Assert.Equal(7, conversation.ContactId);
        Assert.Equal("Your order", conversation.Title);
        Assert.Equal(ConversationStatus.Open, conversation.Status);
        Assert.Equal(Ann, conversation.Participants);
        Assert.Equal(Clock.Now, conversation.CreatedAt);
        Assert.Equal(Clock.Now, conversation.UpdatedAt);
        Assert.Equal(Clock.Now, conversation.LastMessageAt);
        Assert.Empty(conversation.DomainEvents);
    }

    [Fact]
    public void Conversation_may_have_no_inbox_and_no_contact()
    {
        var conversation = ResultAssert.Success(
            Conversation.Start(3, 9, null, null, "Hello", Ann, ConversationStatus.Open, Clock.Now));

        Assert.Null(conversation.InboxId);
        Assert.Null(conversation.ContactId);
    }

    [Theory]
    [InlineData(ConversationStatus.Open)]
    [InlineData(ConversationStatus.Closed)]
    [InlineData(ConversationStatus.Automated)]
    [InlineData(ConversationStatus.Spam)]
    public void Conversation_can_start_in_any_status(ConversationStatus status)
    {
        var conversation = ResultAssert.Success(Conversation.Start(3, 9, null, null, "Hello", Ann, status, Clock.Now));

        Assert.Equal(status, conversation.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_title_becomes_an_empty_title(string? title)
    {
        var conversation = ResultAssert.Success(Conversation.Start(3, 9, null, null, title, Ann, ConversationStatus.Open, Clock.Now));

        Assert.Equal(string.Empty, conversation.Title);
    }

    [Theory]
    [InlineData("Your order\r\nBcc: victim@example.com")]
    [InlineData("Your\norder")]
    [InlineData("Your\rorder")]
    public void Title_with_a_line_break_is_refused(string title)
    {
        ResultAssert.ValidationError(Conversation.Start(3, 9, null, null, title, Ann, ConversationStatus.Open, Clock.Now), "title");
    }

    [Fact]
    public void Line_breaks_at_the_ends_of_a_title_are_trimmed_away()
    {
        var conversation = ResultAssert.Success(
            Conversation.Start(3, 9, null, null, "\r\nYour order\r\n", Ann, ConversationStatus.Open, Clock.Now));

        Assert.Equal("Your order", conversation.Title);
    }

    [Fact]
    public void Title_of_the_maximum_length_is_accepted()
    {
        var title = new string('t', Conversation.TitleMaxLength);

        var conversation = ResultAssert.Success(Conversation.Start(3, 9, null, null, title, Ann, ConversationStatus.Open, Clock.Now));

        Assert.Equal(title, conversation.Title);
    }

    [Fact]
    public void Title_over_the_maximum_length_is_refused()
    {
        var title = new string('t', Conversation.TitleMaxLength + 1);

        ResultAssert.ValidationError(Conversation.Start(3, 9, null, null, title, Ann, ConversationStatus.Open, Clock.Now), "title");
    }

    [Fact]
    public void Conversation_needs_at_least_one_participant()
    {
        ResultAssert.ValidationError(
            Conversation.Start(3, 9, null, null, "Hello", [], ConversationStatus.Open, Clock.Now), "participants");
    }

    [Fact]
    public void Participants_are_deduplicated_without_regard_to_case()
    {
        Participant[] participants =
        [
            new("ann@example.com", ParticipantRole.To),
            new("ANN@Example.com", ParticipantRole.To),
            new("bob@example.com", ParticipantRole.Cc),
            new("Bob@EXAMPLE.com", ParticipantRole.Cc),
        ];

        var conversation = ResultAssert.Success(
            Conversation.Start(3, 9, null, null, "Hello", participants, ConversationStatus.Open, Clock.Now));

        Assert.Equal(
            [new Participant("ann@example.com", ParticipantRole.To), new Participant("bob@example.com", ParticipantRole.Cc)],
            conversation.Participants);
    }

    [Fact]
    public void To_wins_over_Cc_for_the_same_address()
    {
        Participant[] participants =
        [
            new("ann@example.com", ParticipantRole.Cc),
            new("carl@example.com", ParticipantRole.To),
            new("ANN@example.com", ParticipantRole.To),
        ];

        var conversation = ResultAssert.Success(
            Conversation.Start(3, 9, null, null, "Hello", participants, ConversationStatus.Open, Clock.Now));

        Assert.Equal(
            [new Participant("ANN@example.com", ParticipantRole.To), new Participant("carl@example.com", ParticipantRole.To)],
            conversation.Participants);
    }

    [Fact]
    public void Cc_only_participants_are_enough()
    {
        Participant[] participants = [new("ann@example.com", ParticipantRole.Cc)];

        var conversation = ResultAssert.Success(
            Conversation.Start(3, 9, null, null, "Hello", participants, ConversationStatus.Open, Clock.Now));

        Assert.Equal(ParticipantRole.Cc, Assert.Single(conversation.Participants).Role);
    }

    [Theory]
    [InlineData(ConversationStatus.Open, ConversationStatus.Closed)]
    [InlineData(ConversationStatus.Closed, ConversationStatus.Open)]
    [InlineData(ConversationStatus.Open, ConversationStatus.Spam)]
    [InlineData(ConversationStatus.Spam, ConversationStatus.Open)]
    [InlineData(ConversationStatus.Automated, ConversationStatus.Open)]
    [InlineData(ConversationStatus.Open, ConversationStatus.Automated)]
    [InlineData(ConversationStatus.Closed, ConversationStatus.Spam)]
    [InlineData(ConversationStatus.Open, ConversationStatus.Open)]
    public void Status_can_change(ConversationStatus from, ConversationStatus to)
    {
        var conversation = Conversation.Start(3, 9, null, null, "Hello", Ann, from, Clock.Now).Value;

        conversation.ChangeStatus(to, Clock.Later(5));

        Assert.Equal(to, conversation.Status);
        Assert.Equal(Clock.Later(5), conversation.UpdatedAt);
        Assert.Equal(Clock.Now, conversation.LastMessageAt);
        Assert.Equal(Clock.Now, conversation.CreatedAt);
    }

    [Fact]
    public void Recording_a_message_moves_the_last_message_time()
    {
        var conversation = Conversation.Start(3, 9, null, null, "Hello", Ann, ConversationStatus.Open, Clock.Now).Value;

        conversation.RecordMessage(Clock.Later(10));

        Assert.Equal(Clock.Later(10), conversation.LastMessageAt);
        Assert.Equal(Clock.Later(10), conversation.UpdatedAt);
        Assert.Equal(Clock.Now, conversation.CreatedAt);
        Assert.Equal(ConversationStatus.Open, conversation.Status);
    }
}
