using System.Diagnostics;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Delivery;

/// <summary>What each recipient's reply does to a send, and that relays do not hold each other up, through the API.</summary>
[Collection(ApiCollection.Name)]
public sealed class RelayOutcomeTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_refused_recipient_of_three_leaves_the_others_their_email_once_and_each_reply_is_shown()
    {
        await using var server = new ScriptedSmtpServer { DataReply = "250 2.0.0 Ok: queued as 7C1D2E" };
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });
        var (to, cc, refused) = (MailDev.UniqueAddress("to"), MailDev.UniqueAddress("cc"), MailDev.UniqueAddress("nobody"));
        server.RecipientReplies[refused] = "550 5.1.1 <" + refused + ">: Recipient address rejected: User unknown";

        var sent = await organization.SendAsync(new { From = channel, To = to, Cc = new[] { cc, refused }, Body = "Hello all" });
        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent", "failed");

        Assert.Equal("sent", message.GetProperty("delivery_status").GetString());
        var received = Assert.Single(server.Received);
        Assert.Equal(new[] { to, cc }.Order(StringComparer.OrdinalIgnoreCase), received.Recipients.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        var recipients = message.GetProperty("recipients").EnumerateArray().ToDictionary(r => r.GetProperty("address").GetString()!);
        Assert.Equal("sent", recipients[to].GetProperty("status").GetString());
        Assert.Equal("sent", recipients[cc].GetProperty("status").GetString());
        Assert.Equal("refused", recipients[refused].GetProperty("status").GetString());
        var refusal = recipients[refused].GetProperty("reply");
        Assert.Equal(550, refusal.GetProperty("code").GetInt32());
        Assert.Equal("5.1.1", refusal.GetProperty("enhanced_status").GetString());
        Assert.Equal(250, recipients[to].GetProperty("reply").GetProperty("code").GetInt32());
        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal(250, attempt.GetProperty("reply_code").GetInt32());
        Assert.Equal("2.0.0", attempt.GetProperty("enhanced_status").GetString());
        Assert.Equal("7C1D2E", attempt.GetProperty("queue_id").GetString());
    }

    [Fact]
    public async Task A_relay_that_answers_after_500_ms_does_not_delay_another_channels_deliveries()
    {
        await using var slow = new ScriptedSmtpServer { ReplyDelay = TimeSpan.FromMilliseconds(500) };
        await using var fast = new ScriptedSmtpServer();
        var organization = await api.CreateOrganizationAsync();
        var (_, slowChannel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = slow.Port, Security = "none", MaxConnections = 2 });
        var (_, fastChannel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = fast.Port, Security = "none" });

        // The slow relay gets a backlog of 20 (at 2 connections and 500 ms a reply: several seconds of work) …
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => organization.SendAsync(new { From = slowChannel, To = MailDev.UniqueAddress("slow"), Body = $"Slow {i}" })));
        await slow.WaitForAcceptedAsync(1, Delivery);

        // … and the fast relay's emails, sent meanwhile, still leave at once.
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => organization.SendAsync(new { From = fastChannel, To = MailDev.UniqueAddress("fast"), Body = $"Fast {i}" })));
        await fast.WaitForAcceptedAsync(10, Delivery);
        var fastDone = clock.Elapsed;

        Assert.True(slow.Accepted < 20, "The slow relay finished first; the test cannot say anything.");
        Assert.True(fastDone < TimeSpan.FromSeconds(3), $"The fast relay's 10 emails took {fastDone.TotalMilliseconds:0} ms while the slow relay worked.");
    }
}
