using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Scheduling;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Delivery;

/// <summary>Consent is checked again when a message is sent, not only when it is accepted.</summary>
[Collection(ApiCollection.Name)]
public sealed class SendTimeConsentTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_contact_who_opts_out_after_scheduling_receives_nothing_and_the_message_says_why()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var (to, cc) = (MailDev.UniqueAddress("optout"), MailDev.UniqueAddress("optout-cc"));
        var sent = await organization.SendAsync(new { From = channel, To = to, Cc = new[] { cc }, Body = "Later", ScheduleAt = ScheduledSendTests.At(TimeSpan.FromSeconds(3)) });
        Assert.Equal("scheduled", sent.GetProperty("delivery_status").GetString());

        using var optOut = await organization.Client.PostJsonAsync($"/v1/contacts/{sent.GetProperty("contact_id").GetInt64()}/opt_out", new { ChannelIds = new[] { channelId } });
        await ApiAssert.StatusAsync(optOut, HttpStatusCode.OK);

        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "blocked", "sent", "failed");
        Assert.Equal("blocked", message.GetProperty("delivery_status").GetString());
        var compliance = Assert.Single(message.GetProperty("compliance_results").EnumerateArray());
        Assert.Equal(to, compliance.GetProperty("address").GetString());
        Assert.Equal("opted_out", compliance.GetProperty("reason").GetString());
        var recipient = message.GetProperty("recipients").EnumerateArray().Single(r => r.GetProperty("address").GetString() == to);
        Assert.Equal("excluded", recipient.GetProperty("status").GetString());
        Assert.Contains("opted_out", message.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(message.GetProperty("attempts").EnumerateArray());

        await Task.Delay(1000);
        Assert.Empty(await MailDev.ForRecipientAsync(to));
        Assert.Empty(await MailDev.ForRecipientAsync(cc));
    }

    [Fact]
    public async Task A_cc_recipient_who_opts_out_after_scheduling_is_left_out_and_the_others_still_get_it()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var (to, cc) = (MailDev.UniqueAddress("stays"), MailDev.UniqueAddress("leaves"));
        using var created = await organization.Client.PostJsonAsync("/v1/contacts", new { Email = cc });
        var contact = await ApiAssert.StatusAsync(created, HttpStatusCode.Created);
        var sent = await organization.SendAsync(new { From = channel, To = to, Cc = new[] { cc }, Body = "Later", ScheduleAt = ScheduledSendTests.At(TimeSpan.FromSeconds(3)) });

        using var optOut = await organization.Client.PostJsonAsync($"/v1/contacts/{contact.Id()}/opt_out", new { ChannelIds = new[] { channelId } });
        await ApiAssert.StatusAsync(optOut, HttpStatusCode.OK);

        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent", "blocked", "failed");
        Assert.Equal("sent", message.GetProperty("delivery_status").GetString());
        Assert.Equal(cc, Assert.Single(message.GetProperty("compliance_results").EnumerateArray()).GetProperty("address").GetString());
        var received = Assert.Single(await MailDev.WaitForAsync(to));
        Assert.Empty((await MailDev.SourceAsync(received)).Cc);
        Assert.Empty(await MailDev.ForRecipientAsync(cc));
    }
}
