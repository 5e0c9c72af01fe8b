using Modular.Application.UnitTests.Support;
using Modular.Application.Users.CreateUser;

namespace Modular.Application.UnitTests.Users;

public sealed class CreateUserValidatorTests
{
    private static readonly CreateUserCommand Valid = new("Ann Lee", "ann@example.com");

    private readonly CreateUserValidator _validator = new();

    [Fact]
    public void A_user_with_a_name_and_an_address_is_valid() => ValidationAssert.Valid(_validator.Validate(Valid));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void A_name_is_required(string? name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = name }), "Name");

    [Fact]
    public void A_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Name = new string('a', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Name = new string('a', 201) }), "Name");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ann")]
    [InlineData("ann@localhost")]
    [InlineData("ann@example.com\r\nBcc: x@example.com")]
    public void The_address_must_be_valid(string? email) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Email = email }), "Email");

    [Fact]
    public void Both_fields_are_reported_at_once()
    {
        var result = _validator.Validate(new CreateUserCommand(null, null));

        Assert.Equal(["Email", "Name"], result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal));
    }
}
