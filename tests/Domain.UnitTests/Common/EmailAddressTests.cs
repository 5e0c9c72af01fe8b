using Modular.Domain.Common;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Common;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("Ann.Lee@Example.COM")]
    [InlineData("ann+tag@mail.example.co.uk")]
    [InlineData("a@b.co")]
    [InlineData("first.last@sub-domain.example.com")]
    [InlineData("!#$%&'*+-/=?^_`{|}~@example.com")]
    [InlineData("ann@xn--bcher-kva.example")]
    [InlineData("jörg@bücher.example")]
    [InlineData("ann@123.example")]
    [InlineData("ann@example.c0m")]
    public void Well_formed_address_is_accepted(string input)
    {
        var address = ResultAssert.Success(EmailAddress.Parse(input, "to"));

        Assert.Equal(input, address.Value);
    }

    [Theory]
    [InlineData("ann@[192.168.0.1]")]
    [InlineData("ann@[127.0.0.1]")]
    [InlineData("ann@[IPv6:2001:db8::1]")]
    [InlineData("ann@[ipv6:::1]")]
    public void Address_literal_is_accepted(string input)
    {
        var address = ResultAssert.Success(EmailAddress.Parse(input, "to"));

        Assert.Equal(input, address.Value);
    }

    [Theory]
    [InlineData("\"ann lee\"@example.com")]
    [InlineData("\"ann@home\"@example.com")]
    [InlineData("\".ann..lee.\"@example.com")]
    [InlineData("\"a,b;c<d>\"@example.com")]
    public void Quoted_local_part_is_accepted(string input)
    {
        var address = ResultAssert.Success(EmailAddress.Parse(input, "to"));

        Assert.Equal(input, address.Value);
    }

    [Theory]
    [InlineData("\"ann\"lee\"@example.com")]
    [InlineData("\"ann\\\\lee\"@example.com")]
    [InlineData("\"ann@example.com")]
    [InlineData("ann\"@example.com")]
    public void Badly_quoted_local_part_is_refused(string input)
    {
        ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_address_is_refused(string? input)
    {
        var error = ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");

        Assert.Equal("An email address is required.", error.Message);
    }

    [Theory]
    [InlineData("invalid@something")]
    [InlineData("ann@localhost")]
    [InlineData("ann@example")]
    [InlineData("ann@1.2.3.4")]
    [InlineData("ann@example.123")]
    [InlineData("ann@.example.com")]
    [InlineData("ann@example.com.")]
    [InlineData("ann@example..com")]
    [InlineData("ann@-example.com")]
    [InlineData("ann@example-.com")]
    [InlineData("ann@exa_mple.com")]
    [InlineData("ann@exa mple.com")]
    [InlineData("ann@example.com]")]
    [InlineData("ann@[192.168.0.1")]
    public void Address_without_a_dotted_host_name_is_refused(string input)
    {
        var error = ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");

        Assert.Contains("needs a domain", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ann@[192.168.0]")]
    [InlineData("ann@[192.168.0.256]")]
    [InlineData("ann@[example.com]")]
    [InlineData("ann@[]")]
    [InlineData("ann@[2001:db8::1]")]
    [InlineData("ann@[IPv6:192.168.0.1]")]
    [InlineData("ann@[IPv6:not-an-address]")]
    public void Malformed_address_literal_is_refused(string input)
    {
        ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");
    }

    [Theory]
    [InlineData("ann.example.com")]
    [InlineData("@example.com")]
    [InlineData("ann@")]
    [InlineData("@")]
    public void Text_without_local_part_and_domain_is_not_an_address(string input)
    {
        var error = ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");

        Assert.Contains("is not an email address", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".ann@example.com")]
    [InlineData("ann.@example.com")]
    [InlineData("ann..lee@example.com")]
    [InlineData("ann lee@example.com")]
    [InlineData("ann(comment)@example.com")]
    [InlineData("ann,lee@example.com")]
    [InlineData("ann<lee@example.com")]
    [InlineData("ann\\lee@example.com")]
    [InlineData("ann\tlee@example.com")]
    [InlineData("ann@lee@example.com")]
    public void Invalid_local_part_is_refused(string input)
    {
        var error = ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");

        Assert.Contains("invalid local part", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ann@example.com\r\nBcc: victim@example.com")]
    [InlineData("ann\r\n@example.com")]
    [InlineData("ann@exa\nmple.com")]
    [InlineData("ann@exa\rmple.com")]
    public void Line_break_is_refused(string input)
    {
        var error = ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");

        Assert.Equal("An email address cannot contain a line break.", error.Message);
    }

    [Fact]
    public void Local_part_of_64_characters_is_accepted()
    {
        var input = new string('a', 64) + "@example.com";

        ResultAssert.Success(EmailAddress.Parse(input, "to"));
    }

    [Fact]
    public void Local_part_longer_than_64_characters_is_refused()
    {
        var input = new string('a', 65) + "@example.com";

        ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");
    }

    [Fact]
    public void Domain_label_of_63_characters_is_accepted()
    {
        var input = "ann@" + new string('d', 63) + ".com";

        ResultAssert.Success(EmailAddress.Parse(input, "to"));
    }

    [Fact]
    public void Domain_label_longer_than_63_characters_is_refused()
    {
        var input = "ann@" + new string('d', 64) + ".com";

        ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");
    }

    [Fact]
    public void Address_of_254_characters_is_accepted()
    {
        var input = LongAddress(254);

        var address = ResultAssert.Success(EmailAddress.Parse(input, "to"));

        Assert.Equal(254, address.Value.Length);
    }

    [Fact]
    public void Address_longer_than_254_characters_is_refused()
    {
        var input = LongAddress(255);

        var error = ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");

        Assert.Equal("An email address has at most 254 characters.", error.Message);
    }

    [Fact]
    public void Surrounding_whitespace_is_trimmed()
    {
        var address = ResultAssert.Success(EmailAddress.Parse("  ann@example.com\t", "to"));

        Assert.Equal("ann@example.com", address.Value);
    }

    [Fact]
    public void Error_names_the_given_field()
    {
        ResultAssert.ValidationError(EmailAddress.Parse("invalid@something", "sender_email"), "sender_email");
    }

    [Fact]
    public void Original_case_is_kept_and_normalized_form_is_lower_case()
    {
        var address = ResultAssert.Success(EmailAddress.Parse("Ann.Lee@Example.COM", "to"));

        Assert.Equal("Ann.Lee@Example.COM", address.Value);
        Assert.Equal("ann.lee@example.com", address.Normalized);
        Assert.Equal("Ann.Lee@Example.COM", address.ToString());
    }

    [Theory]
    [InlineData("ann@example.com", "example.com")]
    [InlineData("\"ann@home\"@Mail.Example.com", "Mail.Example.com")]
    [InlineData("ann@[192.168.0.1]", "[192.168.0.1]")]
    public void Domain_is_the_part_after_the_last_at_sign(string input, string domain)
    {
        var address = ResultAssert.Success(EmailAddress.Parse(input, "to"));

        Assert.Equal(domain, address.Domain);
    }

    [Fact]
    public void Addresses_that_differ_only_in_case_are_equal()
    {
        var lower = ResultAssert.Success(EmailAddress.Parse("ann@example.com", "to"));
        var upper = ResultAssert.Success(EmailAddress.Parse("ANN@Example.Com", "to"));

        Assert.Equal(lower, upper);
        Assert.True(lower == upper);
        Assert.False(lower != upper);
        Assert.Equal(lower.GetHashCode(), upper.GetHashCode());
        Assert.Single(new HashSet<EmailAddress> { lower, upper });
    }

    [Fact]
    public void Different_addresses_are_not_equal()
    {
        var ann = ResultAssert.Success(EmailAddress.Parse("ann@example.com", "to"));
        var bob = ResultAssert.Success(EmailAddress.Parse("bob@example.com", "to"));

        Assert.NotEqual(ann, bob);
        Assert.True(ann != bob);
        Assert.False(ann.Equals(null));
    }

    [Fact]
    public void TryParse_reports_success_and_the_address()
    {
        var parsed = EmailAddress.TryParse("ann@example.com", out var address, out var reason);

        Assert.True(parsed);
        Assert.Equal("ann@example.com", address.Value);
        Assert.Equal(string.Empty, reason);
    }

    [Fact]
    public void TryParse_reports_failure_and_the_reason()
    {
        var parsed = EmailAddress.TryParse("invalid@something", out _, out var reason);

        Assert.False(parsed);
        Assert.Equal("'invalid@something' needs a domain such as example.com.", reason);
    }

    [Theory]
    [InlineData("\"ann\u0000lee\"@example.com")]
    [InlineData("\"ann\u007flee\"@example.com")]
    public void Control_character_in_a_quoted_local_part_is_refused(string input)
    {
        ResultAssert.ValidationError(EmailAddress.Parse(input, "to"), "to");
    }

    [Fact]
    public void Hexadecimal_address_literal_is_refused()
    {
        ResultAssert.ValidationError(EmailAddress.Parse("ann@[0x7f.0.0.1]", "to"), "to");
    }

    [Fact]
    public void Addresses_with_the_same_normalized_form_are_equal()
    {
        var kelvin = ResultAssert.Success(EmailAddress.Parse("\u212Aim@example.com", "to"));
        var plain = ResultAssert.Success(EmailAddress.Parse("kim@example.com", "to"));
        Assert.Equal(plain.Normalized, kelvin.Normalized);

        Assert.Equal(plain, kelvin);
    }

    private static string LongAddress(int length)
    {
        // 64 + "@" + 63 + "." + 63 + "." + last + ".com" characters.
        var last = length - 197;
        var address = $"{new string('a', 64)}@{new string('d', 63)}.{new string('e', 63)}.{new string('f', last)}.com";
        Assert.Equal(length, address.Length);
        return address;
    }
}
