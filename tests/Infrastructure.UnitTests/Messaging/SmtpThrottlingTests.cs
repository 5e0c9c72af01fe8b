using Modular.Domain.Messaging;
using Modular.Infrastructure.Messaging.Delivery;

namespace Modular.Infrastructure.UnitTests.Messaging;

public sealed class SmtpThrottlingTests
{
    [Theory]
    [InlineData(421, "4.7.0 Too many connections, try again later")]
    [InlineData(421, "Service not available, closing transmission channel")]
    [InlineData(451, "4.3.2 System not accepting network messages")]
    [InlineData(451, "4.7.0 Temporary rate limit, slow down")]
    [InlineData(450, "4.7.0 Too many concurrent SMTP connections")]
    [InlineData(452, "Too many connections from your IP")]
    [InlineData(451, "Ratelimit exceeded for account")]
    [InlineData(454, "Throttling failure: Maximum sending rate exceeded.")]
    public void A_reply_asking_for_fewer_connections_is_throttling(int code, string text) =>
        Assert.True(SmtpThrottling.AsksForFewerConnections(SmtpReply.Parse(code, text)));

    [Theory]
    [InlineData(452, "4.5.3 Error: too many recipients")]
    [InlineData(452, "Too many recipients")]
    [InlineData(450, "4.2.1 Mailbox busy, try later")]
    [InlineData(451, "4.3.0 Local error in processing")]
    [InlineData(550, "5.7.1 Rate limit exceeded, message refused")]
    [InlineData(250, "2.0.0 Ok: queued as ABC123")]
    public void Any_other_reply_is_not_throttling(int code, string text) =>
        Assert.False(SmtpThrottling.AsksForFewerConnections(SmtpReply.Parse(code, text)));
}
