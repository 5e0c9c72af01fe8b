using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Infrastructure.UnitTests.Messaging;

public sealed class HtmlTextTests
{
    [Theory]
    [InlineData("<p>Hello <b>Ann</b></p>", "Hello Ann")]
    [InlineData("<p>One</p><p>Two</p>", "One\n\nTwo")]
    [InlineData("Line<br>break", "Line\nbreak")]
    [InlineData("<ul><li>a</li><li>b</li></ul>", "- a\n- b")]
    [InlineData("<a href=\"https://example.com/x\">the link</a>", "the link (https://example.com/x)")]
    [InlineData("<style>p { color: red }</style><p>Shown</p><script>alert(1)</script>", "Shown")]
    [InlineData("Fish &amp; chips &lt;3", "Fish & chips <3")]
    [InlineData("  lots   of\n\n  space  ", "lots of space")]
    public void Html_becomes_readable_text(string html, string expected) =>
        Assert.Equal(expected, HtmlText.ToPlainText(html));
}
