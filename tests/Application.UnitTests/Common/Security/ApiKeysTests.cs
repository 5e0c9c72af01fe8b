using System.Text.RegularExpressions;
using Modular.Application.Common.Security;

namespace Modular.Application.UnitTests.Common.Security;

public sealed partial class ApiKeysTests
{
    [Fact]
    public void A_generated_key_has_the_mod_prefix_and_256_random_bits_in_lower_hex()
    {
        var issued = ApiKeys.Generate();

        Assert.StartsWith("mod_", issued.Key, StringComparison.Ordinal);
        Assert.Matches(LowerHex(), issued.Key["mod_".Length..]);
        Assert.Equal(4 + 64, issued.Key.Length);
    }

    [Fact]
    public void Generated_keys_are_distinct()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeys.Generate()).ToList();

        Assert.Equal(keys.Count, keys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(keys.Count, keys.Select(k => k.Hash).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_generated_key_carries_its_prefix_and_hash_but_the_hash_is_not_the_key()
    {
        var issued = ApiKeys.Generate();

        Assert.Equal(issued.Key[..12], issued.Prefix);
        Assert.Equal(ApiKeys.Hash(issued.Key), issued.Hash);
        Assert.DoesNotContain(issued.Key["mod_".Length..], issued.Hash, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hash_is_the_lower_hex_SHA_256_of_the_key()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.Hash("abc"));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ApiKeys.Hash(""));
    }

    [Fact]
    public void The_hash_is_deterministic_and_64_hex_characters()
    {
        const string key = "mod_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        var hash = ApiKeys.Hash(key);

        Assert.Equal(hash, ApiKeys.Hash(key));
        Assert.Matches(LowerHex(), hash);
        Assert.Equal(64, hash.Length);
    }

    [Fact]
    public void Keys_that_differ_only_in_case_hash_differently() =>
        Assert.NotEqual(ApiKeys.Hash("mod_abc"), ApiKeys.Hash("MOD_ABC"));

    [Fact]
    public void A_key_chosen_elsewhere_keeps_its_value_with_a_12_character_prefix()
    {
        var issued = ApiKeys.FromKey("demo-key-for-local-development");

        Assert.Equal("demo-key-for-local-development", issued.Key);
        Assert.Equal("demo-key-for", issued.Prefix);
        Assert.Equal(ApiKeys.Hash("demo-key-for-local-development"), issued.Hash);
    }

    [Theory]
    [InlineData("short", "short")]
    [InlineData("exactly12chr", "exactly12chr")]
    [InlineData("mod_0123456789", "mod_01234567")]
    public void The_prefix_is_at_most_12_characters(string key, string prefix) =>
        Assert.Equal(prefix, ApiKeys.FromKey(key).Prefix);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex LowerHex();
}
