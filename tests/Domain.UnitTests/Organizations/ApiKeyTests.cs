using Modular.Domain.Organizations;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Organizations;

public sealed class ApiKeyTests
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public void New_organization_has_no_keys()
    {
        var organization = NewOrganization();

        Assert.Empty(organization.ApiKeys);
    }

    [Fact]
    public void Issued_key_is_active_belongs_to_the_organization_and_keeps_only_its_prefix_and_hash()
    {
        var organization = NewOrganization();

        var key = organization.IssueApiKey("mk_live_ab", Hash, Clock.Later(1));

        Assert.Same(key, Assert.Single(organization.ApiKeys));
        Assert.Equal(organization.Id, key.OrganizationId);
        Assert.Equal("mk_live_ab", key.Prefix);
        Assert.Equal(Hash, key.Hash);
        Assert.Equal(Clock.Later(1), key.CreatedAt);
        Assert.Null(key.RevokedAt);
        Assert.True(key.IsActive);
    }

    [Fact]
    public void Organization_can_hold_several_keys()
    {
        var organization = NewOrganization();

        var first = organization.IssueApiKey("mk_live_ab", Hash, Clock.Later(1));
        var second = organization.IssueApiKey("mk_live_cd", Hash.ToUpperInvariant(), Clock.Later(2));

        Assert.Equal([first, second], organization.ApiKeys);
    }

    [Fact]
    public void Revoked_key_is_no_longer_active()
    {
        var key = NewOrganization().IssueApiKey("mk_live_ab", Hash, Clock.Now);

        ResultAssert.Success(key.Revoke(Clock.Later(5)));

        Assert.False(key.IsActive);
        Assert.Equal(Clock.Later(5), key.RevokedAt);
    }

    [Fact]
    public void Revoking_a_key_leaves_the_other_keys_active()
    {
        var organization = NewOrganization();
        var revoked = organization.IssueApiKey("mk_live_ab", Hash, Clock.Now);
        var kept = organization.IssueApiKey("mk_live_cd", Hash, Clock.Now);

        ResultAssert.Success(revoked.Revoke(Clock.Later(5)));

        Assert.False(revoked.IsActive);
        Assert.True(kept.IsActive);
        Assert.Equal(2, organization.ApiKeys.Count);
    }

    [Fact]
    public void Revoking_a_revoked_key_is_a_conflict_and_keeps_the_first_revocation()
    {
        var key = NewOrganization().IssueApiKey("mk_live_ab", Hash, Clock.Now);
        ResultAssert.Success(key.Revoke(Clock.Later(5)));

        ResultAssert.Conflict(key.Revoke(Clock.Later(10)), "api_key.already_revoked");

        Assert.Equal(Clock.Later(5), key.RevokedAt);
        Assert.False(key.IsActive);
    }

    private static Organization NewOrganization() => Organization.Create("Acme", Clock.Now).Value;
}
