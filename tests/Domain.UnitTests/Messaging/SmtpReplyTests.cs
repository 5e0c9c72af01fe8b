using Modular.Domain.Messaging;

namespace Modular.Domain.UnitTests.Messaging;

public sealed class SmtpReplyTests
{
    [Fact]
    public void Postfix_queued_reply_gives_enhanced_status_and_queue_id()
    {
        var reply = SmtpReply.Parse(250, "2.0.0 Ok: queued as 4F2A1C");

        Assert.Equal(250, reply.Code);
        Assert.Equal("2.0.0", reply.EnhancedStatus);
        Assert.Equal("Ok: queued as 4F2A1C", reply.Text);
        Assert.Equal("4F2A1C", reply.QueueId);
        Assert.True(reply.IsPositive);
        Assert.False(reply.IsPermanent);
        Assert.Equal("250 2.0.0 Ok: queued as 4F2A1C", reply.ToString());
    }

    [Fact]
    public void Exim_reply_gives_its_message_id_without_enhanced_status()
    {
        var reply = SmtpReply.Parse(250, "OK id=1rX2ab-0003Xy-Qm");

        Assert.Null(reply.EnhancedStatus);
        Assert.Equal("OK id=1rX2ab-0003Xy-Qm", reply.Text);
        Assert.Equal("1rX2ab-0003Xy-Qm", reply.QueueId);
        Assert.Equal("250 OK id=1rX2ab-0003Xy-Qm", reply.ToString());
    }

    [Theory]
    [InlineData("OK")]
    [InlineData("Requested mail action okay, completed")]
    [InlineData("")]
    public void Reply_without_enhanced_code_or_queue_id_keeps_its_text(string text)
    {
        var reply = SmtpReply.Parse(250, text);

        Assert.Null(reply.EnhancedStatus);
        Assert.Null(reply.QueueId);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public void Missing_text_is_empty()
    {
        var reply = SmtpReply.Parse(421, null);

        Assert.Equal(string.Empty, reply.Text);
        Assert.Equal("421", reply.ToString());
    }

    [Theory]
    [InlineData("5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table", "5.1.1")]
    [InlineData("5.1.1 The email account that you tried to reach does not exist.", "5.1.1")]
    [InlineData("5.7.1 Relaying denied", "5.7.1")]
    public void Refusal_gives_its_enhanced_status_and_is_permanent(string text, string enhanced)
    {
        var reply = SmtpReply.Parse(550, text);

        Assert.Equal(enhanced, reply.EnhancedStatus);
        Assert.Equal(text[(enhanced.Length + 1)..], reply.Text);
        Assert.Null(reply.QueueId);
        Assert.True(reply.IsPermanent);
        Assert.False(reply.IsPositive);
    }

    [Theory]
    [InlineData("4.7.0 Too many connections, slow down", "4.7.0")]
    [InlineData("4.3.2 System not accepting network messages", "4.3.2")]
    public void Transient_refusal_is_neither_positive_nor_permanent(string text, string enhanced)
    {
        var reply = SmtpReply.Parse(451, text);

        Assert.Equal(enhanced, reply.EnhancedStatus);
        Assert.False(reply.IsPositive);
        Assert.False(reply.IsPermanent);
    }

    [Theory]
    [InlineData("2.0.0Ok")]
    [InlineData("6.0.0 Nope")]
    [InlineData("2.0 Ok")]
    public void Text_that_only_looks_like_an_enhanced_code_is_kept_whole(string text)
    {
        var reply = SmtpReply.Parse(250, text);

        Assert.Null(reply.EnhancedStatus);
        Assert.Equal(text, reply.Text);
    }
}
