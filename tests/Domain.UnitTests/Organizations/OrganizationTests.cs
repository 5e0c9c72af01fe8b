using Modular.Domain.Organizations;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Organizations;

public sealed class OrganizationTests
{
    [Fact]
    public void Organization_is_created_with_a_trimmed_name()
    {
        var organization = ResultAssert.Success(Organization.Create("  Acme Inc.  ", Clock.Now));

        Assert.Equal("Acme Inc.", organization.Name);
        Assert.Equal(Clock.Now, organization.CreatedAt);
        Assert.Equal(0, organization.Id);
        Assert.Empty(organization.DomainEvents);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Organization_needs_a_name(string? name)
    {
        ResultAssert.ValidationError(Organization.Create(name!, Clock.Now), "name");
    }

    [Fact]
    public void Organization_name_of_the_maximum_length_is_accepted()
    {
        var name = new string('a', Organization.NameMaxLength);

        var organization = ResultAssert.Success(Organization.Create(name, Clock.Now));

        Assert.Equal(name, organization.Name);
    }

    [Fact]
    public void Organization_name_over_the_maximum_length_is_refused()
    {
        var name = new string('a', Organization.NameMaxLength + 1);

        ResultAssert.ValidationError(Organization.Create(name, Clock.Now), "name");
    }

    [Fact]
    public void Organization_name_length_is_measured_after_trimming()
    {
        var name = "  " + new string('a', Organization.NameMaxLength) + "  ";

        ResultAssert.Success(Organization.Create(name, Clock.Now));
    }
}
