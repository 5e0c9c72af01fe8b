using Modular.Domain.Channels;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Channels;

public sealed class ChannelTests
{
    private static readonly SmtpSettings Relay =
        SmtpSettings.Create("smtp.example.com", 587, SmtpSecurity.StartTls, "ann", "protected").Value;

    [Fact]
    public void Channel_is_created_with_its_address_sender_name_and_relay()
    {
        var channel = ResultAssert.Success(
            Channel.Create(3, "  Support  ", Addresses.Email("Support@Example.com"), "  Acme Support ", Relay, Clock.Now));

        Assert.Equal(3, channel.OrganizationId);
        Assert.Equal("Support", channel.Name);
        Assert.Equal("Support@Example.com", channel.Email);
        Assert.Equal("support@example.com", channel.NormalizedEmail);
        Assert.Equal("Acme Support", channel.SenderName);
        Assert.Same(Relay, channel.Smtp);
        Assert.Equal(Clock.Now, channel.CreatedAt);
        Assert.Equal(Clock.Now, channel.UpdatedAt);
        Assert.Empty(channel.DomainEvents);
    }

    [Fact]
    public void Channel_without_relay_uses_the_default_relay()
    {
        var channel = ResultAssert.Success(Channel.Create(3, "Support", Addresses.Email("support@example.com"), null, null, Clock.Now));

        Assert.Null(channel.Smtp);
        Assert.Null(channel.SenderName);
    }

    [Theory]
    [InlineData("support@example.com", "example.com")]
    [InlineData("support@Mail.Example.com", "Mail.Example.com")]
    [InlineData("\"a@b\"@example.org", "example.org")]
    public void Channel_domain_is_the_domain_of_its_address(string address, string domain)
    {
        var channel = ResultAssert.Success(Channel.Create(3, "Support", Addresses.Email(address), null, null, Clock.Now));

        Assert.Equal(domain, channel.Domain);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Channel_needs_a_name(string? name)
    {
        ResultAssert.ValidationError(Channel.Create(3, name!, Addresses.Email("support@example.com"), null, null, Clock.Now), "name");
    }

    [Fact]
    public void Channel_name_of_the_maximum_length_is_accepted()
    {
        var name = new string('n', Channel.NameMaxLength);

        var channel = ResultAssert.Success(Channel.Create(3, name, Addresses.Email("support@example.com"), null, null, Clock.Now));

        Assert.Equal(name, channel.Name);
    }

    [Fact]
    public void Channel_name_over_the_maximum_length_is_refused()
    {
        var name = new string('n', Channel.NameMaxLength + 1);

        ResultAssert.ValidationError(Channel.Create(3, name, Addresses.Email("support@example.com"), null, null, Clock.Now), "name");
    }

    [Theory]
    [InlineData("Acme\r\nBcc: victim@example.com")]
    [InlineData("Acme\nSupport")]
    [InlineData("Acme\rSupport")]
    public void Channel_sender_name_with_a_line_break_is_refused_on_creation(string senderName)
    {
        ResultAssert.ValidationError(
            Channel.Create(3, "Support", Addresses.Email("support@example.com"), senderName, null, Clock.Now), "sender_name");
    }

    [Fact]
    public void Rename_trims_and_stamps_the_change()
    {
        var channel = NewChannel();

        ResultAssert.Success(channel.Rename("  Sales ", Clock.Later(1)));

        Assert.Equal("Sales", channel.Name);
        Assert.Equal(Clock.Later(1), channel.UpdatedAt);
        Assert.Equal(Clock.Now, channel.CreatedAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Rename_to_an_empty_name_is_refused_and_keeps_the_old_name(string? name)
    {
        var channel = NewChannel();

        ResultAssert.ValidationError(channel.Rename(name!, Clock.Later(1)), "name");

        Assert.Equal("Support", channel.Name);
        Assert.Equal(Clock.Now, channel.UpdatedAt);
    }

    [Fact]
    public void Rename_to_a_too_long_name_is_refused()
    {
        var channel = NewChannel();

        ResultAssert.ValidationError(channel.Rename(new string('n', Channel.NameMaxLength + 1), Clock.Later(1)), "name");

        Assert.Equal("Support", channel.Name);
    }

    [Fact]
    public void Sender_name_can_be_changed()
    {
        var channel = NewChannel();

        ResultAssert.Success(channel.ChangeSenderName(" Acme Sales ", Clock.Later(1)));

        Assert.Equal("Acme Sales", channel.SenderName);
        Assert.Equal(Clock.Later(1), channel.UpdatedAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Blank_sender_name_clears_it(string? senderName)
    {
        var channel = NewChannel();

        ResultAssert.Success(channel.ChangeSenderName(senderName, Clock.Later(1)));

        Assert.Null(channel.SenderName);
    }

    [Theory]
    [InlineData("Acme\r\nBcc: victim@example.com")]
    [InlineData("Acme\n")]
    [InlineData("\rAcme")]
    public void Sender_name_with_a_line_break_is_refused_and_keeps_the_old_one(string senderName)
    {
        var channel = NewChannel();

        ResultAssert.ValidationError(channel.ChangeSenderName(senderName, Clock.Later(1)), "sender_name");

        Assert.Equal("Acme Support", channel.SenderName);
        Assert.Equal(Clock.Now, channel.UpdatedAt);
    }

    [Fact]
    public void Address_can_be_changed()
    {
        var channel = NewChannel();

        ResultAssert.Success(channel.ChangeAddress(Addresses.Email("Sales@Other.example"), Clock.Later(1)));

        Assert.Equal("Sales@Other.example", channel.Email);
        Assert.Equal("sales@other.example", channel.NormalizedEmail);
        Assert.Equal("Other.example", channel.Domain);
        Assert.Equal(Clock.Later(1), channel.UpdatedAt);
    }

    [Fact]
    public void Own_relay_can_be_set_and_removed()
    {
        var channel = NewChannel();

        channel.UseRelay(Relay, Clock.Later(1));
        Assert.Same(Relay, channel.Smtp);
        Assert.Equal(Clock.Later(1), channel.UpdatedAt);

        channel.UseRelay(null, Clock.Later(2));
        Assert.Null(channel.Smtp);
        Assert.Equal(Clock.Later(2), channel.UpdatedAt);
    }

    private static Channel NewChannel() =>
        Channel.Create(3, "Support", Addresses.Email("support@example.com"), "Acme Support", null, Clock.Now).Value;
}
