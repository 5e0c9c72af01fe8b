using Modular.Domain.Organizations;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Organizations;

public sealed class UserTests
{
    [Fact]
    public void User_keeps_the_address_as_given_and_its_normalized_form()
    {
        var user = ResultAssert.Success(User.Create(3, "  Ann Lee ", Addresses.Email("Ann.Lee@Example.com"), Clock.Now));

        Assert.Equal(3, user.OrganizationId);
        Assert.Equal("Ann Lee", user.Name);
        Assert.Equal("Ann.Lee@Example.com", user.Email);
        Assert.Equal("ann.lee@example.com", user.NormalizedEmail);
        Assert.Equal(Clock.Now, user.CreatedAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void User_needs_a_name(string? name)
    {
        ResultAssert.ValidationError(User.Create(3, name!, Addresses.Email("ann@example.com"), Clock.Now), "name");
    }

    [Fact]
    public void User_name_of_the_maximum_length_is_accepted()
    {
        var name = new string('a', User.NameMaxLength);

        var user = ResultAssert.Success(User.Create(3, name, Addresses.Email("ann@example.com"), Clock.Now));

        Assert.Equal(name, user.Name);
    }

    [Fact]
    public void User_name_over_the_maximum_length_is_refused()
    {
        var name = new string('a', User.NameMaxLength + 1);

        ResultAssert.ValidationError(User.Create(3, name, Addresses.Email("ann@example.com"), Clock.Now), "name");
    }
}
