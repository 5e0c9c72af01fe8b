using Modular.Application.Contacts;
using Modular.Application.Contacts.CreateContact;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Contacts;

public sealed class CreateContactValidatorTests
{
    private static readonly CreateContactCommand Valid = new("ann@example.com", "Ann Lee", [new ChannelRef(1), new ChannelRef(2)], null);

    private readonly CreateContactValidator _validator = new();

    [Fact]
    public void A_contact_with_an_address_a_name_and_channels_is_valid() => ValidationAssert.Valid(_validator.Validate(Valid));

    [Fact]
    public void Only_the_address_is_required() =>
        ValidationAssert.Valid(_validator.Validate(new CreateContactCommand("ann@example.com", null, null, null)));

    [Fact]
    public void All_channels_with_no_list_is_valid() =>
        ValidationAssert.Valid(_validator.Validate(new CreateContactCommand("ann@example.com", null, [], true)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ann")]
    [InlineData("invalid@something")]
    [InlineData("ann@example.com\nBcc: x@example.com")]
    public void The_address_must_be_valid(string? email) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Email = email }), "Email");

    [Theory]
    [InlineData("Ann\r\nBcc: x@example.com")]
    [InlineData("Ann\rLee")]
    public void A_name_is_one_line(string name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = name }), "Name");

    [Fact]
    public void A_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Name = new string('a', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = new string('a', 201) }), "Name");
    }

    [Fact]
    public void Each_channel_to_opt_in_to_needs_a_positive_id_and_is_named_by_its_index()
    {
        var result = _validator.Validate(Valid with { OptInTo = [new ChannelRef(1), new ChannelRef(0), new ChannelRef(-4), null!] });

        Assert.Equal(["OptInTo[1]", "OptInTo[2]", "OptInTo[3]"], result.Errors.Select(e => e.PropertyName));
        Assert.All(result.Errors, e => Assert.Equal("A channel id is required.", e.ErrorMessage));
    }
}
