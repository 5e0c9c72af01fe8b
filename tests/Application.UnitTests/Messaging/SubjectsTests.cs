using Modular.Application.Messaging.ReceiveEmail;

namespace Modular.Application.UnitTests.Messaging;

public sealed class SubjectsTests
{
    [Theory]
    [InlineData("Re: Your order", "Your order")]
    [InlineData("RE: Fwd: AW: SV: Your order", "Your order")]
    [InlineData("Re[2]: Your order", "Your order")]
    [InlineData("  fw:   Your order  ", "Your order")]
    [InlineData("Your order", "Your order")]
    [InlineData("Regarding: Your order", "Regarding: Your order")]
    [InlineData("Re:", "")]
    [InlineData("", "")]
    public void Reply_and_forward_prefixes_are_removed(string subject, string expected) =>
        Assert.Equal(expected, Subjects.WithoutReplyPrefixes(subject));
}
