using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Messaging;

/// <summary>What erasing the contact does to a message's delivery: nothing waiting is sent any more.</summary>
public sealed class MessageErasureTests
{
    private const string Placeholder = "erased-7@erased.invalid";

    [Theory]
    [InlineData(DeliveryStatus.Scheduled)]
    [InlineData(DeliveryStatus.Queued)]
    public void A_waiting_message_is_canceled_as_contact_erased(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);

        message.ErasePersonalData("ann@example.com", Placeholder, Clock.Later(1));

        Assert.Equal(DeliveryStatus.Canceled, message.Status);
        Assert.Equal(Message.ContactErased, message.CancelReason);
        Assert.IsType<MessageCanceled>(Assert.Single(message.DomainEvents));
        Assert.Equal(Placeholder, Assert.Single(message.Recipients).Address);
    }

    [Theory]
    [InlineData(DeliveryStatus.Sent)]
    [InlineData(DeliveryStatus.Failed)]
    [InlineData(DeliveryStatus.Uncertain)]
    public void A_message_that_left_or_ended_keeps_its_status(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);

        message.ErasePersonalData("ann@example.com", Placeholder, Clock.Later(1));

        Assert.Equal(status, message.Status);
        Assert.Null(message.CancelReason);
        Assert.Empty(message.DomainEvents);
        Assert.Equal(Message.ErasedText, message.Subject);
    }
}
