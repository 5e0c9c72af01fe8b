using System.Security.Cryptography;
using Modular.Application.Common.Security;

namespace Modular.Application.UnitTests.Deliverability;

public sealed class MailTokensTests
{
    private static readonly MailTokens Tokens = new(new Key(RandomNumberGenerator.GetBytes(32)));

    [Fact]
    public void An_unsubscribe_token_reads_back_what_it_names_in_any_case()
    {
        var token = Tokens.Unsubscribe(new UnsubscribeToken(12, 3456789, 7, long.MaxValue));

        Assert.Equal(new UnsubscribeToken(12, 3456789, 7, long.MaxValue), Tokens.ReadUnsubscribe(token));
        Assert.Equal(new UnsubscribeToken(12, 3456789, 7, long.MaxValue), Tokens.ReadUnsubscribe(token.ToUpperInvariant()));
        Assert.Matches("^[a-z0-9-]+$", token);
        Assert.True(token.Length <= 64, token);
    }

    [Fact]
    public void Changing_any_character_of_a_token_makes_it_unreadable()
    {
        var token = Tokens.Unsubscribe(new UnsubscribeToken(1, 2, 3, 4));
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '-')
            {
                continue;
            }

            var altered = token[..i] + (token[i] == 'a' ? 'b' : 'a') + token[(i + 1)..];
            Assert.Null(Tokens.ReadUnsubscribe(altered));
        }
    }

    [Fact]
    public void A_token_names_other_ids_only_with_a_mac_made_with_the_key()
    {
        var token = Tokens.Unsubscribe(new UnsubscribeToken(1, 2, 3, 4));
        var mac = token[(token.LastIndexOf('-') + 1)..];

        Assert.Null(Tokens.ReadUnsubscribe($"1-2-3-5-{mac}"));
        Assert.Null(new MailTokens(new Key(RandomNumberGenerator.GetBytes(32))).ReadUnsubscribe(token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1-2-3-4")]
    [InlineData("1-2-3-4-5-6")]
    [InlineData("-----")]
    [InlineData("01-2-3-4-aaaaaaaaaaaaaaaa")]
    public void Malformed_tokens_are_unreadable(string? token) => Assert.Null(Tokens.ReadUnsubscribe(token));

    [Fact]
    public void A_token_of_one_purpose_is_not_one_of_another()
    {
        var bounce = Tokens.Bounce(new BounceToken(5, 6));

        Assert.Equal(new BounceToken(5, 6), Tokens.ReadBounce(bounce));
        Assert.Null(Tokens.ReadUnsubscribe(bounce));
        Assert.Null(Tokens.ReadBounce(Tokens.Unsubscribe(new UnsubscribeToken(5, 6, 7, 8))));
    }

    [Fact]
    public void Token_addresses_carry_the_token_and_give_it_back()
    {
        Assert.Equal("support+unsubscribe-abc-def@acme.example.com", TokenAddresses.Unsubscribe("support", "acme.example.com", "abc-def"));
        Assert.Equal("abc-def", TokenAddresses.UnsubscribeTokenOf("<Support+Unsubscribe-abc-def@acme.example.com>"));
        Assert.Equal("bounces+abc-def@acme.example.com", TokenAddresses.Bounce("acme.example.com", "abc-def"));
        Assert.Equal("abc-def", TokenAddresses.BounceTokenOf("BOUNCES+abc-def@acme.example.com"));
        Assert.Null(TokenAddresses.UnsubscribeTokenOf("support@acme.example.com"));
        Assert.Null(TokenAddresses.BounceTokenOf("support+bounces@acme.example.com"));
        Assert.Null(TokenAddresses.BounceTokenOf(null));
    }

    private sealed class Key(byte[] secret) : ITokenKey
    {
        public byte[] Mac(byte[] data) => HMACSHA256.HashData(secret, data);
    }
}
