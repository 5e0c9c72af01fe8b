using Modular.Application.Contacts.UpdateContact;
using Modular.Application.Inboxes.UpdateInbox;
using Modular.Application.UnitTests.Support;
using Modular.Application.Users.UpdateUser;

namespace Modular.Application.UnitTests.Common.Validation;

public sealed class UpdateContactValidatorTests
{
    private readonly UpdateContactValidator _validator = new();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Ann Smith")]
    public void No_name_an_empty_one_or_a_name_is_valid(string? name) =>
        ValidationAssert.Valid(_validator.Validate(new UpdateContactCommand(1, name)));

    [Fact]
    public void A_name_of_201_characters_is_refused() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new UpdateContactCommand(1, new string('a', 201))), "Name");

    [Fact]
    public void A_name_with_a_line_break_is_refused() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new UpdateContactCommand(1, "Ann\nSmith")), "Name");
}

public sealed class UpdateUserValidatorTests
{
    private readonly UpdateUserValidator _validator = new();

    [Fact]
    public void Nothing_to_change_is_valid() => ValidationAssert.Valid(_validator.Validate(new UpdateUserCommand(1, null, null)));

    [Fact]
    public void A_name_and_an_address_are_valid() =>
        ValidationAssert.Valid(_validator.Validate(new UpdateUserCommand(1, "Ann", "ann@acme.example.com")));

    [Theory]
    [InlineData("")]
    [InlineData("a\r\nb")]
    public void A_blank_name_or_one_with_a_line_break_is_refused(string name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new UpdateUserCommand(1, name, null)), "Name");

    [Theory]
    [InlineData("invalid@something")]
    [InlineData("not an address")]
    public void An_address_that_does_not_parse_is_refused(string email) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new UpdateUserCommand(1, null, email)), "Email");
}

public sealed class UpdateInboxValidatorTests
{
    private readonly UpdateInboxValidator _validator = new();

    [Fact]
    public void A_new_name_is_valid() => ValidationAssert.Valid(_validator.Validate(new UpdateInboxCommand(1, "Billing", null)));

    [Fact]
    public void A_blank_name_is_refused() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new UpdateInboxCommand(1, " ", null)), "Name");

    [Fact]
    public void A_channel_is_refused_an_inbox_keeps_its_own() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new UpdateInboxCommand(1, null, 5)), "ChannelId");
}
