using Modular.Application.Conversations;
using Modular.Domain.Conversations;

namespace Modular.Application.UnitTests.Conversations;

public sealed class ConversationResponseTests
{
    [Theory]
    [InlineData("open", ConversationStatus.Open)]
    [InlineData("closed", ConversationStatus.Closed)]
    [InlineData("automated", ConversationStatus.Automated)]
    [InlineData("spam", ConversationStatus.Spam)]
    [InlineData("OPEN", ConversationStatus.Open)]
    [InlineData("Spam", ConversationStatus.Spam)]
    public void A_status_name_is_read_in_any_case(string value, ConversationStatus expected) =>
        Assert.Equal(expected, ConversationResponse.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("archived")]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData(" open")]
    [InlineData("open,closed")]
    public void Anything_else_reads_as_no_status(string? value) =>
        Assert.Null(ConversationResponse.Parse(value));

    [Fact]
    public void Every_status_is_written_as_its_listed_name_and_read_back()
    {
        foreach (var status in Enum.GetValues<ConversationStatus>())
        {
            var name = ConversationResponse.Format(status);

            Assert.Contains(name, ConversationResponse.Statuses);
            Assert.Equal(status, ConversationResponse.Parse(name));
        }
    }
}
