using Modular.Domain.Common;

namespace Modular.Domain.UnitTests.Common;

public sealed class HeaderTextTests
{
    [Theory]
    [InlineData("Hello\r\nBcc: victim@example.com")]
    [InlineData("Hello\nworld")]
    [InlineData("Hello\rworld")]
    [InlineData("\n")]
    public void Text_with_a_line_break_is_detected(string value)
    {
        Assert.True(HeaderText.HasLineBreak(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Hello world")]
    [InlineData("Tab\tis not a line break")]
    public void Text_without_a_line_break_is_accepted(string? value)
    {
        Assert.False(HeaderText.HasLineBreak(value));
    }
}
