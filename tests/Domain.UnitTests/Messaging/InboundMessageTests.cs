using Modular.Domain.Common;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Messaging;

public sealed class InboundMessageTests
{
    private static InboundDraft Draft(string subject = "Re: Your order") => new()
    {
        OrganizationId = 3,
        ConversationId = 5,
        ChannelId = 9,
        From = Addresses.MailboxOf("Carol <carol@example.com>"),
        Recipients = [new Recipient(RecipientKind.To, "support@example.com") { Status = RecipientStatus.Sent }],
        Subject = subject,
        TextBody = "Thanks",
        MessageIdHeader = "reply.1@example.com",
        InReplyTo = "0001.abcd@example.com",
        AutoReply = true,
    };

    [Fact]
    public void An_inbound_message_is_received_and_raises_message_received()
    {
        var message = Message.CreateInbound(Draft(), contactId: 7, Clock.Now).Value;

        Assert.Equal(MessageDirection.Inbound, message.Direction);
        Assert.Equal(DeliveryStatus.Received, message.Status);
        Assert.True(message.AutoReply);
        Assert.False(message.IsDue(Clock.Later(3600)));
        var received = Assert.IsType<MessageReceived>(Assert.Single(message.DomainEvents));
        Assert.Equal(7, received.ContactId);
    }

    [Fact]
    public void A_line_break_in_an_inbound_header_value_is_refused()
    {
        var result = Message.CreateInbound(Draft("Hi\r\nBcc: x@example.com"), contactId: 7, Clock.Now);

        Assert.True(result.IsFailure);
        Assert.Equal("subject", Assert.Single(result.Error!.Fields!).Key);
    }

    [Fact]
    public void A_reply_cancels_only_a_scheduled_follow_up_that_asked_for_it()
    {
        var followUp = Message.CreateOutbound(MessageBuilder.Draft() with { ScheduleAt = MessageBuilder.ScheduledFor, CancelOnReply = true }, Clock.Now).Value;
        var plain = Message.CreateOutbound(MessageBuilder.Draft() with { ScheduleAt = MessageBuilder.ScheduledFor }, Clock.Now).Value;
        var sending = MessageBuilder.InStatus(DeliveryStatus.Sending);

        Assert.True(followUp.CancelBecauseContactReplied(Clock.Now));
        Assert.False(plain.CancelBecauseContactReplied(Clock.Now));
        Assert.False(sending.CancelBecauseContactReplied(Clock.Now));

        Assert.Equal(DeliveryStatus.Canceled, followUp.Status);
        Assert.Equal(Message.ContactReplied, followUp.CancelReason);
        Assert.Contains(followUp.DomainEvents, e => e is MessageCanceled canceled && canceled.Message.CancelReason == Message.ContactReplied);
        Assert.Equal(DeliveryStatus.Scheduled, plain.Status);
        Assert.False(followUp.CancelBecauseContactReplied(Clock.Now));
    }

    [Theory]
    [InlineData(false, ConversationStatus.Open)]
    [InlineData(true, ConversationStatus.Closed)]
    public void A_closed_conversation_reopens_unless_the_message_is_an_auto_reply(bool autoReply, ConversationStatus expected)
    {
        var conversation = Conversation.Start(3, 9, null, 7, "Your order", [new Participant("carol@example.com", ParticipantRole.To)], ConversationStatus.Closed, Clock.Now).Value;

        conversation.ReceiveMessage(autoReply, Clock.Later(5));

        Assert.Equal(expected, conversation.Status);
        Assert.Equal(Clock.Later(5), conversation.LastMessageAt);
        Assert.Equal(!autoReply, conversation.DomainEvents.OfType<ConversationReopened>().Any());
    }
}
