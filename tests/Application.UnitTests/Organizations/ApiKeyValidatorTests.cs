using Modular.Application.Organizations.CreateApiKey;
using Modular.Application.Organizations.ListApiKeys;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Organizations;

public sealed class CreateApiKeyValidatorTests
{
    private readonly CreateApiKeyValidator _validator = new(new FixedClock());

    [Fact]
    public void A_key_needs_neither_a_name_nor_an_expiry() =>
        ValidationAssert.Valid(_validator.Validate(new CreateApiKeyCommand(null, null)));

    [Fact]
    public void A_name_of_up_to_100_characters_and_a_future_expiry_are_valid() =>
        ValidationAssert.Valid(_validator.Validate(new CreateApiKeyCommand(new string('k', 100), Clock.Later(1))));

    [Fact]
    public void A_name_of_101_characters_is_refused() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new CreateApiKeyCommand(new string('k', 101), null)), "Name");

    [Fact]
    public void A_name_with_a_line_break_is_refused() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new CreateApiKeyCommand("a\r\nb", null)), "Name");

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_expiry_now_or_past_is_refused(int minutes) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new CreateApiKeyCommand(null, Clock.Later(minutes))), "ExpiresAt");
}

public sealed class ListApiKeysValidatorTests
{
    private readonly ListApiKeysValidator _validator = new();

    [Fact]
    public void Default_paging_is_valid() => ValidationAssert.Valid(_validator.Validate(new ListApiKeysQuery(null, null)));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(501, 0)]
    public void A_limit_outside_1_to_500_is_refused(int limit, int offset) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new ListApiKeysQuery(limit, offset)), "limit");

    [Fact]
    public void A_negative_offset_is_refused() =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(new ListApiKeysQuery(10, -1)), "offset");
}
