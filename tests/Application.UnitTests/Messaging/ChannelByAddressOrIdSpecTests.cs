using Modular.Application.Messaging.SendChannelEmail;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Channels;

namespace Modular.Application.UnitTests.Messaging;

public sealed class ChannelByAddressOrIdSpecTests
{
    private static readonly List<Channel> Channels =
    [
        Aggregates.Channel(7, "Sales@Example.com", "Sales"),
        Aggregates.Channel(12, "support@example.com"),
        Aggregates.Channel(3, "news@example.org", "News"),
    ];

    [Theory]
    [InlineData("7", 7)]
    [InlineData("12", 12)]
    [InlineData("3", 3)]
    public void An_id_string_finds_the_channel_with_that_id(string from, long expected) =>
        Assert.Equal(expected, Assert.Single(new ChannelByAddressOrIdSpec(from).Evaluate(Channels)).Id);

    [Theory]
    [InlineData("sales@example.com", 7)]
    [InlineData("SALES@EXAMPLE.COM", 7)]
    [InlineData("Sales@Example.com", 7)]
    [InlineData("Support@Example.Com", 12)]
    [InlineData("  news@example.org  ", 3)]
    public void An_address_finds_the_channel_in_any_case(string from, long expected) =>
        Assert.Equal(expected, Assert.Single(new ChannelByAddressOrIdSpec(from).Evaluate(Channels)).Id);

    [Theory]
    [InlineData("99")]
    [InlineData("0")]
    [InlineData("other@example.com")]
    [InlineData("sales@example.org")]
    [InlineData("-7")]
    [InlineData("7.0")]
    public void Neither_an_unknown_id_nor_an_unknown_address_finds_anything(string from) =>
        Assert.Empty(new ChannelByAddressOrIdSpec(from).Evaluate(Channels));

    [Fact]
    public void An_id_is_never_read_as_an_address_and_an_address_never_as_an_id()
    {
        var byId = new ChannelByAddressOrIdSpec("12");
        var byAddress = new ChannelByAddressOrIdSpec("support@example.com");

        Assert.Single(byId.WhereExpressions);
        Assert.Single(byAddress.WhereExpressions);
        Assert.Equal(12, Assert.Single(byId.Evaluate(Channels)).Id);
        Assert.Equal(12, Assert.Single(byAddress.Evaluate(Channels)).Id);
    }
}
