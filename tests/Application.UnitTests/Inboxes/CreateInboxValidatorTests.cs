using Modular.Application.Inboxes.CreateInbox;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Inboxes;

public sealed class CreateInboxValidatorTests
{
    private static readonly CreateInboxCommand Valid = new("Support", 3);

    private readonly CreateInboxValidator _validator = new();

    [Fact]
    public void An_inbox_with_a_name_and_a_channel_is_valid() => ValidationAssert.Valid(_validator.Validate(Valid));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_name_is_required(string? name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = name }), "Name");

    [Fact]
    public void A_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Name = new string('i', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = new string('i', 201) }), "Name");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void A_positive_channel_id_is_required(long? channelId) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { ChannelId = channelId }), "ChannelId");
}
