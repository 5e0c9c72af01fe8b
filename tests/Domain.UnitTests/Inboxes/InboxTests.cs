using Modular.Domain.Inboxes;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Inboxes;

public sealed class InboxTests
{
    [Fact]
    public void Inbox_belongs_to_one_channel()
    {
        var inbox = ResultAssert.Success(Inbox.Create(3, "  Billing ", 9, Clock.Now));

        Assert.Equal(3, inbox.OrganizationId);
        Assert.Equal("Billing", inbox.Name);
        Assert.Equal(9, inbox.ChannelId);
        Assert.Equal(Clock.Now, inbox.CreatedAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Inbox_needs_a_name(string? name)
    {
        ResultAssert.ValidationError(Inbox.Create(3, name!, 9, Clock.Now), "name");
    }

    [Fact]
    public void Inbox_name_of_the_maximum_length_is_accepted()
    {
        var name = new string('i', Inbox.NameMaxLength);

        var inbox = ResultAssert.Success(Inbox.Create(3, name, 9, Clock.Now));

        Assert.Equal(name, inbox.Name);
    }

    [Fact]
    public void Inbox_name_over_the_maximum_length_is_refused()
    {
        ResultAssert.ValidationError(Inbox.Create(3, new string('i', Inbox.NameMaxLength + 1), 9, Clock.Now), "name");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Inbox_needs_a_channel(long channelId)
    {
        ResultAssert.ValidationError(Inbox.Create(3, "Billing", channelId, Clock.Now), "channel_id");
    }

    [Fact]
    public void The_channel_is_checked_before_the_name()
    {
        var error = ResultAssert.ValidationError(Inbox.Create(3, string.Empty, 0, Clock.Now), "channel_id");

        Assert.DoesNotContain("name", error.Fields!.Keys);
    }
}
