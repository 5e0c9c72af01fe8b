using System.Net;
using System.Text;
using System.Text.Json;
using Modular.Application.Deliverability.RecordDeliveryReport;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Deliverability;

/// <summary>
/// Bounces (RFC 3464) and complaints (RFC 5965) recorded by their use case, in-process against the real
/// database, for messages that went out over real SMTP. The fixtures are in the formats of Postfix, Exim,
/// Microsoft (Exchange Online, JMRP), Gmail and Yahoo.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DeliveryReportTests(ApiFactory api)
{
    [Theory]
    [InlineData("postfix-hard-bounce.eml", "5.1.1", "User unknown in virtual mailbox table")]
    [InlineData("exim-hard-bounce.eml", "5.0.0", "The email account that you tried to reach does not exist")]
    [InlineData("microsoft-hard-bounce.eml", "5.1.10", "RESOLVER.ADR.RecipientNotFound")]
    [InlineData("gmail-hard-bounce.eml", "5.1.1", "https://support.google.com/mail/?p=NoSuchUser")]
    public async Task A_hard_bounce_of_a_sent_message_marks_that_recipient_bounced_suppresses_it_and_the_next_send_is_refused(string fixture, string status, string diagnostic)
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var (to, cc) = (MailDev.UniqueAddress("bounce"), MailDev.UniqueAddress("fine"));
        var (sent, _) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Cc = new[] { cc }, Subject = "Your order", Body = "It ships today." });
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        var result = await RecordAsync(organization, channelId, fixture, message, to);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(("applied", "bounce", sent.Id()), (result.Value.Outcome, result.Value.Kind, result.Value.MessageId));
        Assert.Equal([to], result.Value.Addresses);
        var after = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        Assert.Equal("sent", after.GetProperty("delivery_status").GetString());
        var bounced = Recipient(after, to);
        Assert.Equal("bounced", bounced.GetProperty("status").GetString());
        Assert.Equal(status, bounced.GetProperty("bounce").GetProperty("status").GetString());
        Assert.Contains(diagnostic, bounced.GetProperty("bounce").GetProperty("diagnostic").GetString(), StringComparison.Ordinal);
        Assert.Equal("sent", Recipient(after, cc).GetProperty("status").GetString());

        // Linked to the message, not a reply in the conversation.
        var thread = await organization.Client.GetOkAsync($"/v1/conversations/{sent.GetProperty("conversation_id").GetInt64()}/messages");
        Assert.Equal(1, thread.GetProperty("total").GetInt32());

        var suppression = Assert.Single((await organization.Client.GetOkAsync($"/v1/suppressions?email={Uri.EscapeDataString(to)}")).GetProperty("data").EnumerateArray());
        Assert.Equal("hard_bounce", suppression.GetProperty("reason").GetString());
        Assert.Equal(sent.Id(), suppression.GetProperty("message_id").GetInt64());

        var next = await organization.SendAsync(new { From = channel, To = to, Body = "Again" });
        Assert.Equal("blocked", next.GetProperty("delivery_status").GetString());
        var refused = await organization.Client.GetOkAsync($"/v1/messages/{next.Id()}");
        Assert.Equal("suppressed:hard_bounce", Assert.Single(refused.GetProperty("compliance_results").EnumerateArray()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Three_temporary_failures_within_7_days_suppress_the_address_two_do_not()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("delayed");

        for (var i = 1; i <= 3; i++)
        {
            var sent = await organization.SendAsync(new { From = channel, To = to, Body = $"Number {i}" });
            var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "sent");
            var result = await RecordAsync(organization, channelId, "postfix-delayed.eml", message, to);
            Assert.Equal("applied", result.Value.Outcome);

            // A delay is not a bounce of the recipient: it is still being tried.
            Assert.Equal("sent", Recipient(await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}"), to).GetProperty("status").GetString());
            var suppressions = (await organization.Client.GetOkAsync("/v1/suppressions")).GetProperty("data");
            if (i < 3)
            {
                Assert.Empty(suppressions.EnumerateArray());
            }
            else
            {
                Assert.Equal("soft_bounce", Assert.Single(suppressions.EnumerateArray()).GetProperty("reason").GetString());
            }
        }
    }

    [Theory]
    [InlineData("yahoo-complaint.eml")]
    [InlineData("microsoft-complaint.eml")]
    public async Task A_complaint_opts_the_contact_out_of_the_channel_and_suppresses_the_address(string fixture)
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("complains");
        var (sent, _) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Subject = "Your order", Body = "It ships today." });
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        var result = await RecordAsync(organization, channelId, fixture, message, to);

        Assert.Equal(("applied", "complaint"), (result.Value.Outcome, result.Value.Kind));
        var contact = await organization.ContactAsync(to);
        var consent = Assert.Single(contact.GetProperty("consents").EnumerateArray());
        Assert.Equal((channelId, "opted_out", "complaint"), (consent.GetProperty("channel_id").GetInt64(), consent.GetProperty("state").GetString(), consent.GetProperty("source").GetString()));
        Assert.Equal(sent.Id(), Assert.Single(contact.GetProperty("consent_history").EnumerateArray()).GetProperty("message_id").GetInt64());
        Assert.Equal("complaint", Assert.Single((await organization.Client.GetOkAsync("/v1/suppressions")).GetProperty("data").EnumerateArray()).GetProperty("reason").GetString());

        var next = await organization.SendAsync(new { From = channel, To = to, Body = "Sorry" });
        Assert.Equal("blocked", next.GetProperty("delivery_status").GetString());
    }

    [Theory]
    [InlineData("truncated-bounce.eml")]
    [InlineData("truncated-status.eml")]
    public async Task A_truncated_report_is_ignored_and_changes_nothing(string fixture)
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("truncated");
        var (sent, _) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "Hi" });
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        var result = await RecordAsync(organization, channelId, fixture, message, to);

        Assert.Equal("ignored", result.Value.Outcome);
        Assert.Contains("truncated", result.Value.Reason, StringComparison.OrdinalIgnoreCase);
        await AssertUnchangedAsync(organization, sent.Id(), to);
    }

    [Fact]
    public async Task A_report_of_an_unknown_message_or_an_email_that_is_no_report_is_ignored()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("unknown");
        var (sent, _) = await organization.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "Hi" });

        var unknown = DeliverabilityTestSupport.ReportFixture("postfix-hard-bounce.eml", $"{Guid.NewGuid():N}@acme.example.com", to, channel);
        var result = await api.SendInProcessAsync(organization.Id, new RecordDeliveryReportCommand(channelId, unknown));
        Assert.Equal("ignored", result.Value.Outcome);

        var reply = Encoding.ASCII.GetBytes($"From: {to}\r\nTo: {channel}\r\nSubject: Re: Hi\r\nMessage-ID: <r1@customer.example.com>\r\n\r\nThanks!\r\n");
        var notReport = await api.SendInProcessAsync(organization.Id, new RecordDeliveryReportCommand(channelId, reply));
        Assert.Equal("ignored", notReport.Value.Outcome);
        await AssertUnchangedAsync(organization, sent.Id(), to);
    }

    [Fact]
    public async Task A_report_of_another_organizations_message_is_never_applied_across_organizations()
    {
        var owner = await api.CreateOrganizationAsync();
        var (_, channel) = await owner.CreateChannelAsync();
        var to = MailDev.UniqueAddress("owned");
        var (sent, _) = await owner.SendAndReceiveAsync(to, new { From = channel, To = to, Body = "Hi" });
        var message = await owner.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        var other = await api.CreateOrganizationAsync();
        var (otherChannelId, _) = await other.CreateChannelAsync();

        var bounce = await RecordAsync(other, otherChannelId, "postfix-hard-bounce.eml", message, to);
        var complaint = await RecordAsync(other, otherChannelId, "yahoo-complaint.eml", message, to);

        Assert.Equal(("ignored", "ignored"), (bounce.Value.Outcome, complaint.Value.Outcome));
        await AssertUnchangedAsync(owner, sent.Id(), to);
        Assert.Equal(0, (await other.Client.GetOkAsync("/v1/suppressions")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task With_verp_the_envelope_sender_names_the_message_and_a_bounce_to_it_is_matched_by_its_token()
    {
        await using var server = new ScriptedSmtpServer();
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });
        using (var patched = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { VerpReturnPath = true }))
        {
            Assert.True((await ApiAssert.StatusAsync(patched, HttpStatusCode.OK)).GetProperty("verp_return_path").GetBoolean());
        }

        var to = MailDev.UniqueAddress("verp");
        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "Hi" });
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "sent");
        var envelopeFrom = Assert.Single(server.Received).From!;
        Assert.Matches(@"^bounces\+[a-z0-9-]+@acme\.example\.com$", envelopeFrom);
        Assert.Contains($"From: {channel}", Assert.Single(server.Received).Data, StringComparison.Ordinal);

        // A bounce that returns nothing of the original: only the address it was sent to names the message.
        var bare = DeliverabilityTestSupport.ReportFixture("postfix-hard-bounce.eml", "nothing@nowhere.example", to, channel).AsSpan().ToArray();
        var text = Encoding.ASCII.GetString(bare);
        text = text[..text.IndexOf("--3F2A1C0A2B.1764583202/mail.customer.example.com\nContent-Description: Undelivered", StringComparison.Ordinal)]
            + "--3F2A1C0A2B.1764583202/mail.customer.example.com--\n";
        var raw = Encoding.ASCII.GetBytes(text.Replace($"To: {channel}", $"To: {envelopeFrom}", StringComparison.Ordinal));

        var other = await api.CreateOrganizationAsync();
        var (otherChannelId, _) = await other.CreateChannelAsync();
        Assert.Equal("ignored", (await api.SendInProcessAsync(other.Id, new RecordDeliveryReportCommand(otherChannelId, raw, envelopeFrom))).Value.Outcome);

        var result = await api.SendInProcessAsync(organization.Id, new RecordDeliveryReportCommand(channelId, raw));
        Assert.Equal(("applied", sent.Id()), (result.Value.Outcome, result.Value.MessageId));
        Assert.Equal("bounced", Recipient(await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}"), to).GetProperty("status").GetString());
    }

    private Task<Modular.Domain.Common.Result<DeliveryReportResponse>> RecordAsync(TestOrganization organization, long channelId, string fixture, JsonElement message, string recipient) =>
        api.SendInProcessAsync(organization.Id, new RecordDeliveryReportCommand(
            channelId, DeliverabilityTestSupport.ReportFixture(fixture, message, recipient)));


    private static JsonElement Recipient(JsonElement message, string address) =>
        message.GetProperty("recipients").EnumerateArray().Single(r => r.GetProperty("address").GetString() == address);

    private static async Task AssertUnchangedAsync(TestOrganization organization, long messageId, string to)
    {
        var message = await organization.Client.GetOkAsync($"/v1/messages/{messageId}");
        Assert.Equal("sent", Recipient(message, to).GetProperty("status").GetString());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/suppressions")).GetProperty("total").GetInt32());
        Assert.Empty((await organization.ContactAsync(to)).GetProperty("consent_history").EnumerateArray());
    }
}
