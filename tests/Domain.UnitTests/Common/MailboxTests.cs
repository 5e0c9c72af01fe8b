using Modular.Domain.Common;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Common;

public sealed class MailboxTests
{
    [Fact]
    public void Bare_address_has_no_name()
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse("ann@example.com", "from"));

        Assert.Equal("ann@example.com", mailbox.Address.Value);
        Assert.Null(mailbox.Name);
    }

    [Fact]
    public void Name_and_angle_address_are_split()
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse("Ann <ann@example.com>", "from"));

        Assert.Equal("ann@example.com", mailbox.Address.Value);
        Assert.Equal("Ann", mailbox.Name);
    }

    [Fact]
    public void Quoted_name_loses_its_quotes()
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse("\"Ann B\" <ann@example.com>", "from"));

        Assert.Equal("ann@example.com", mailbox.Address.Value);
        Assert.Equal("Ann B", mailbox.Name);
    }

    [Fact]
    public void Quoted_name_may_hold_angle_brackets_and_commas()
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse("\"Lee, Ann <Sales>\" <ann@example.com>", "from"));

        Assert.Equal("ann@example.com", mailbox.Address.Value);
        Assert.Equal("Lee, Ann <Sales>", mailbox.Name);
    }

    [Theory]
    [InlineData("<ann@example.com>")]
    [InlineData(" <ann@example.com> ")]
    [InlineData("\"\" <ann@example.com>")]
    [InlineData("\"  \" <ann@example.com>")]
    public void Angle_address_without_a_name_has_no_name(string input)
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse(input, "from"));

        Assert.Equal("ann@example.com", mailbox.Address.Value);
        Assert.Null(mailbox.Name);
    }

    [Fact]
    public void Whitespace_around_name_and_address_is_trimmed()
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse("   Ann Lee   < ann@example.com >  ", "from"));

        Assert.Equal("ann@example.com", mailbox.Address.Value);
        Assert.Equal("Ann Lee", mailbox.Name);
    }

    [Fact]
    public void Address_literal_in_angle_brackets_is_accepted()
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse("Ann <ann@[192.168.0.1]>", "from"));

        Assert.Equal("ann@[192.168.0.1]", mailbox.Address.Value);
    }

    [Theory]
    [InlineData("Ann <invalid@something>")]
    [InlineData("invalid@something")]
    [InlineData("Ann ann@example.com")]
    [InlineData("Ann <ann@example.com")]
    [InlineData("Ann <ann@example.com> extra")]
    [InlineData("Ann <>")]
    [InlineData("Ann")]
    public void Malformed_mailbox_is_refused(string input)
    {
        ResultAssert.ValidationError(Mailbox.Parse(input, "from"), "from");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Missing_mailbox_is_refused(string? input)
    {
        ResultAssert.ValidationError(Mailbox.Parse(input, "from"), "from");
    }

    [Theory]
    [InlineData("Ann\r\nBcc: victim@example.com <ann@example.com>")]
    [InlineData("Ann\n <ann@example.com>")]
    [InlineData("Ann\r <ann@example.com>")]
    [InlineData("Ann <ann@example.com\r\n>")]
    public void Line_break_is_refused(string input)
    {
        var error = ResultAssert.ValidationError(Mailbox.Parse(input, "from"), "from");

        Assert.Equal("An address cannot contain a line break.", error.Message);
    }

    [Theory]
    [InlineData("ann@example.com", "ann@example.com")]
    [InlineData("Ann <ann@example.com>", "Ann <ann@example.com>")]
    [InlineData("\"Ann B\" <ann@example.com>", "Ann B <ann@example.com>")]
    public void Formats_as_name_and_angle_address(string input, string expected)
    {
        var mailbox = ResultAssert.Success(Mailbox.Parse(input, "from"));

        Assert.Equal(expected, mailbox.ToString());
    }

    [Fact]
    public void Mailboxes_compare_addresses_without_case()
    {
        var lower = ResultAssert.Success(Mailbox.Parse("Ann <ann@example.com>", "from"));
        var upper = ResultAssert.Success(Mailbox.Parse("Ann <ANN@EXAMPLE.COM>", "from"));

        Assert.Equal(lower, upper);
    }
}
