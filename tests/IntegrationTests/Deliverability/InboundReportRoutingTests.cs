using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.IntegrationTests.Inbound;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Deliverability;

/// <summary>
/// Bounces, complaints and unsubscribe emails arriving the way every inbound email does
/// (<c>POST /v1/channels/{id}/inbound</c>; the IMAP watcher hands mail to the same router): each reaches
/// its use case and none becomes a conversation reply.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class InboundReportRoutingTests(ApiFactory api)
{
    [Fact]
    public async Task A_postfix_bounce_posted_inbound_marks_the_recipient_bounced_suppresses_it_and_adds_no_reply()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("routed-bounce");
        var (sent, _) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Subject = "Your order", Body = "It ships today." });
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        using var posted = await organization.Client.PostRawAsync(channelId, DeliverabilityTestSupport.ReportFixture("postfix-hard-bounce.eml", message, to));

        var answer = await ApiAssert.StatusAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal(("delivery_report", "applied", sent.Id()), (answer.GetProperty("kind").GetString(), answer.GetProperty("outcome").GetString(), answer.GetProperty("id").GetInt64()));
        var after = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        Assert.Equal("bounced", after.GetProperty("recipients").EnumerateArray().Single(r => r.GetProperty("address").GetString() == to).GetProperty("status").GetString());
        Assert.Equal("hard_bounce", Assert.Single((await organization.Client.GetOkAsync("/v1/suppressions")).GetProperty("data").EnumerateArray()).GetProperty("reason").GetString());
        var thread = await organization.Client.GetOkAsync($"/v1/conversations/{sent.GetProperty("conversation_id").GetInt64()}/messages");
        Assert.Equal(1, thread.GetProperty("total").GetInt32());
        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/conversations")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_complaint_posted_inbound_opts_the_contact_out_with_the_source_complaint()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("routed-complaint");
        var (sent, _) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Subject = "News", Body = "Hello" });
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        using var posted = await organization.Client.PostRawAsync(channelId, DeliverabilityTestSupport.ReportFixture("yahoo-complaint.eml", message, to));

        var answer = await ApiAssert.StatusAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal("delivery_report", answer.GetProperty("kind").GetString());
        var consent = Assert.Single((await organization.ContactAsync(to)).GetProperty("consents").EnumerateArray());
        Assert.Equal(("opted_out", "complaint"), (consent.GetProperty("state").GetString(), consent.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task An_email_to_the_unsubscribe_mailto_posted_inbound_opts_the_contact_out_and_a_forged_one_changes_nothing()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("routed-mailto");
        var (_, received) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "News", ConversationStatus = "automated" });
        var mailto = MailtoOf().Match(received.Headers["List-Unsubscribe"]!).Groups["mailto"].Value;
        Assert.NotEmpty(mailto);

        var forged = Regex.Replace(mailto, @"unsubscribe-[a-z0-9-]+@", "unsubscribe-0000forged0000@");
        using (var ignored = await organization.Client.PostRawAsync(channelId, UnsubscribeEmail(to, forged)))
        {
            var answer = await ApiAssert.StatusAsync(ignored, HttpStatusCode.Accepted);
            Assert.Equal(("unsubscribe", "ignored"), (answer.GetProperty("kind").GetString(), answer.GetProperty("outcome").GetString()));
        }

        Assert.Empty((await organization.ContactAsync(to)).GetProperty("consent_history").EnumerateArray());

        using var posted = await organization.Client.PostRawAsync(channelId, UnsubscribeEmail(to, mailto));

        var applied = await ApiAssert.StatusAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal(("unsubscribe", "applied"), (applied.GetProperty("kind").GetString(), applied.GetProperty("outcome").GetString()));
        var change = Assert.Single((await organization.ContactAsync(to)).GetProperty("consent_history").EnumerateArray());
        Assert.Equal(("opted_out", "unsubscribe_email"), (change.GetProperty("state").GetString(), change.GetProperty("source").GetString()));
        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/conversations")).GetProperty("total").GetInt32());
    }

    private static byte[] UnsubscribeEmail(string from, string to) => Encoding.ASCII.GetBytes(
        $"From: {from}\r\nTo: {to}\r\nSubject: unsubscribe\r\nMessage-ID: <{Guid.NewGuid():N}@customer.example.com>\r\n\r\nunsubscribe\r\n");


    [GeneratedRegex(@"<mailto:(?<mailto>[^?>]+)\?subject=unsubscribe>")]
    private static partial Regex MailtoOf();
}
