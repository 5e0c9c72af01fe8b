using Modular.Application.Contacts.ChangeConsent;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Contacts;

namespace Modular.Application.UnitTests.Contacts;

public sealed class ChangeConsentValidatorTests
{
    private readonly ChangeConsentValidator _validator = new();

    [Theory]
    [InlineData(ConsentState.OptedIn)]
    [InlineData(ConsentState.OptedOut)]
    public void Some_channels_are_valid(ConsentState state) =>
        ValidationAssert.Valid(_validator.Validate(new ChangeConsentCommand(5, state, [1, 2], null)));

    [Fact]
    public void All_channels_without_a_list_is_valid() =>
        ValidationAssert.Valid(_validator.Validate(new ChangeConsentCommand(5, ConsentState.OptedOut, null, true)));

    [Theory]
    [InlineData(null)]
    [InlineData(false)]
    public void No_channels_and_not_all_of_them_is_refused(bool? allChannels)
    {
        var noList = ValidationAssert.FailsOnlyOn(_validator.Validate(new ChangeConsentCommand(5, ConsentState.OptedIn, null, allChannels)), "ChannelIds");
        var emptyList = ValidationAssert.FailsOnlyOn(_validator.Validate(new ChangeConsentCommand(5, ConsentState.OptedIn, [], allChannels)), "ChannelIds");

        Assert.Equal("Give channel_ids or all_channels: true.", Assert.Single(noList).ErrorMessage);
        Assert.Single(emptyList);
    }

    [Fact]
    public void Each_channel_id_must_be_positive_and_is_named_by_its_index()
    {
        var result = _validator.Validate(new ChangeConsentCommand(5, ConsentState.OptedIn, [3, 0, 7, -2], null));

        Assert.Equal(["ChannelIds[1]", "ChannelIds[3]"], result.Errors.Select(e => e.PropertyName));
    }

    [Fact]
    public void Channel_ids_are_checked_even_with_all_channels()
    {
        var result = _validator.Validate(new ChangeConsentCommand(5, ConsentState.OptedIn, [0], true));

        Assert.Equal(["ChannelIds[0]"], result.Errors.Select(e => e.PropertyName));
    }
}
