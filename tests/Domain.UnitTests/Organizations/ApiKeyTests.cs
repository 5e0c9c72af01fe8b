using Modular.Domain.Organizations;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Organizations;

public sealed class ApiKeyTests
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public void Issued_key_is_active_belongs_to_the_organization_and_keeps_only_its_name_prefix_and_hash()
    {
        var key = ResultAssert.Success(ApiKey.Issue(7, "  ci  ", "mk_live_ab", Hash, expiresAt: null, Clock.Later(1)));

        Assert.Equal(7, key.OrganizationId);
        Assert.Equal("ci", key.Name);
        Assert.Equal("mk_live_ab", key.Prefix);
        Assert.Equal(Hash, key.Hash);
        Assert.Equal(Clock.Later(1), key.CreatedAt);
        Assert.Null(key.RevokedAt);
        Assert.Null(key.LastUsedAt);
        Assert.True(key.IsActiveAt(Clock.Later(100_000)));
    }

    [Fact]
    public void A_blank_name_is_no_name()
    {
        var key = ResultAssert.Success(ApiKey.Issue(7, "   ", "mk_live_ab", Hash, expiresAt: null, Clock.Now));

        Assert.Null(key.Name);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("this name is far too long for a key: it goes on and on, well past the hundred characters a key name may have")]
    public void A_name_with_a_line_break_or_too_long_is_refused(string name) =>
        ResultAssert.ValidationError(ApiKey.Issue(7, name, "mk_live_ab", Hash, expiresAt: null, Clock.Now), "name");

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void An_expiry_that_is_not_in_the_future_is_refused(int minutes) =>
        ResultAssert.ValidationError(ApiKey.Issue(7, null, "mk_live_ab", Hash, Clock.Later(minutes), Clock.Now), "expires_at");

    [Fact]
    public void A_key_with_an_expiry_works_until_then_and_not_from_then_on()
    {
        var key = ResultAssert.Success(ApiKey.Issue(7, null, "mk_live_ab", Hash, Clock.Later(10), Clock.Now));

        Assert.True(key.IsActiveAt(Clock.Later(9)));
        Assert.False(key.IsActiveAt(Clock.Later(10)));
        Assert.False(key.IsActiveAt(Clock.Later(11)));
    }

    [Fact]
    public void Revoking_a_key_records_when_and_deactivates_it()
    {
        var key = ResultAssert.Success(ApiKey.Issue(7, null, "mk_live_ab", Hash, expiresAt: null, Clock.Now));

        ResultAssert.Success(key.Revoke(Clock.Later(5)));

        Assert.False(key.IsActiveAt(Clock.Later(6)));
        Assert.Equal(Clock.Later(5), key.RevokedAt);
    }

    [Fact]
    public void Revoking_twice_is_a_conflict_and_keeps_the_first_time()
    {
        var key = ResultAssert.Success(ApiKey.Issue(7, null, "mk_live_ab", Hash, expiresAt: null, Clock.Now));
        ResultAssert.Success(key.Revoke(Clock.Later(5)));

        ResultAssert.Conflict(key.Revoke(Clock.Later(10)), "api_key.already_revoked");

        Assert.Equal(Clock.Later(5), key.RevokedAt);
    }
}
