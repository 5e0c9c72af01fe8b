using Modular.Application.Organizations.CreateOrganization;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Organizations;

public sealed class CreateOrganizationValidatorTests
{
    private readonly CreateOrganizationValidator _validator = new();

    [Fact]
    public void An_organization_with_a_name_is_valid() =>
        ValidationAssert.Valid(_validator.Validate(new CreateOrganizationCommand("Acme")));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_name_is_required(string? name) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new CreateOrganizationCommand(name)), "Name");

    [Fact]
    public void A_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(new CreateOrganizationCommand(new string('a', 200))));
        ValidationAssert.FailsOnlyOn(_validator.Validate(new CreateOrganizationCommand(new string('a', 201))), "Name");
    }
}
