using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Deliverability;
using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Deliverability;

public sealed class DeliverabilityDomainTests
{
    [Fact]
    public void A_suppression_keeps_the_address_says_why_and_raises_an_event()
    {
        var suppression = Suppression.Create(3, Addresses.Email("Ann@Example.com"), SuppressionReason.HardBounce, "5.1.1 no such user", 7, Clock.Now);

        Assert.Equal(("Ann@Example.com", "ann@example.com"), (suppression.Email, suppression.NormalizedEmail));
        Assert.Equal("suppressed:hard_bounce", suppression.ComplianceReason);
        Assert.Equal(new AddressSuppressed("Ann@Example.com", SuppressionReason.HardBounce, 7, Clock.Now), Assert.Single(suppression.DomainEvents));
    }

    [Fact]
    public void Only_a_stronger_reason_replaces_the_one_an_address_is_suppressed_for()
    {
        var suppression = Suppression.Create(3, Addresses.Email("ann@example.com"), SuppressionReason.SoftBounce, null, null, Clock.Now);
        suppression.ClearDomainEvents();

        Assert.False(suppression.Escalate(SuppressionReason.Manual, null, null, Clock.Later(1)));
        Assert.False(suppression.Escalate(SuppressionReason.SoftBounce, null, null, Clock.Later(1)));
        Assert.Empty(suppression.DomainEvents);
        Assert.True(suppression.Escalate(SuppressionReason.HardBounce, "5.1.1", 8, Clock.Later(2)));
        Assert.True(suppression.Escalate(SuppressionReason.Complaint, "abuse", 9, Clock.Later(3)));
        Assert.False(suppression.Escalate(SuppressionReason.HardBounce, "5.1.1", 10, Clock.Later(4)));

        Assert.Equal((SuppressionReason.Complaint, 9L), (suppression.Reason, suppression.MessageId!.Value));
        Assert.Equal(2, suppression.DomainEvents.Count);
    }

    [Theory]
    [InlineData("hard_bounce", SuppressionReason.HardBounce)]
    [InlineData("SOFT_BOUNCE", SuppressionReason.SoftBounce)]
    [InlineData("complaint", SuppressionReason.Complaint)]
    [InlineData("manual", SuppressionReason.Manual)]
    public void Reasons_read_back_as_they_are_written(string text, SuppressionReason reason)
    {
        Assert.Equal(reason, Suppression.Parse(text));
        Assert.Equal(text.ToLowerInvariant(), Suppression.Format(reason));
    }

    [Fact]
    public void A_bounce_marks_a_recipient_of_a_sent_message_and_raises_an_event()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sent);

        var recorded = message.RecordBounce("ANN@example.com", "5.1.1", "550 no such user", Clock.Later(5));

        ResultAssert.Success(recorded);
        var ann = Assert.Single(message.Recipients);
        Assert.Equal(RecipientStatus.Bounced, ann.Status);
        Assert.Equal(new RecipientBounce("5.1.1", "550 no such user", Clock.Later(5)), ann.Bounce);
        Assert.Equal(DeliveryStatus.Sent, message.Status);
        var raised = Assert.IsType<MessageBounced>(Assert.Single(message.DomainEvents));
        Assert.True(raised.Permanent);
        Assert.Equal("ann@example.com", raised.Address);
    }

    [Theory]
    [InlineData(DeliveryStatus.Queued)]
    [InlineData(DeliveryStatus.Scheduled)]
    [InlineData(DeliveryStatus.Sending)]
    [InlineData(DeliveryStatus.Canceled)]
    public void Only_a_message_that_left_can_bounce(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);

        ResultAssert.Conflict(message.RecordBounce("ann@example.com", "5.1.1", null, Clock.Later(5)), "message.invalid_transition");
        Assert.Empty(message.DomainEvents);
    }

    [Fact]
    public void A_bounce_of_an_address_that_is_not_a_recipient_is_not_found()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sent);

        var recorded = message.RecordBounce("bob@example.com", "5.1.1", null, Clock.Later(5));

        Assert.Equal(ErrorType.NotFound, recorded.Error!.Type);
        Assert.Empty(message.DomainEvents);
    }

    [Fact]
    public void A_complaint_raises_an_event_naming_the_recipient()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sent);

        ResultAssert.Success(message.RecordComplaint("ann@EXAMPLE.com", "abuse", Clock.Later(5)));

        Assert.Equal(new MessageComplained(message, "ann@example.com", "abuse", Clock.Later(5)), Assert.Single(message.DomainEvents));
    }

    [Fact]
    public void A_channel_signs_with_the_key_it_is_given_until_it_stops()
    {
        var channel = ResultAssert.Success(Channel.Create(3, "Support", Addresses.Email("support@acme.example.com"), null, null, Clock.Now));
        var key = new DkimKey("s1", "protected", "MIIB", Clock.Now);

        channel.UseDkimKey(key, Clock.Later(1));

        Assert.Equal("s1._domainkey.acme.example.com", channel.Dkim!.DnsName(channel.Domain));
        Assert.Equal("v=DKIM1; k=rsa; p=MIIB", channel.Dkim.DnsValue);
        ResultAssert.Success(channel.StopDkimSigning(Clock.Later(2)));
        Assert.Null(channel.Dkim);
        Assert.Equal(ErrorType.NotFound, channel.StopDkimSigning(Clock.Later(3)).Error!.Type);
        Assert.Equal(ListUnsubscribePolicy.Automated, channel.ListUnsubscribe);
        Assert.Equal("support", channel.LocalPart);
    }
}
