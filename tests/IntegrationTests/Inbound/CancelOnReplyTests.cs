using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Inbound;

/// <summary><c>cancel_on_reply</c>: a scheduled follow-up stops when the contact writes first, and goes out when they do not.</summary>
[Collection(ApiCollection.Name)]
public sealed class CancelOnReplyTests(ApiFactory api)
{
    [Fact]
    public async Task A_reply_cancels_the_follow_up_and_an_auto_reply_or_another_conversation_does_not()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var carol = MailDev.UniqueAddress("carol");
        var first = await organization.SendAsync(new { From = channel, To = carol, Subject = "Quote", Body = "Here is your quote." });
        var later = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        var followUp = await organization.SendAsync(new { From = channel, To = carol, Body = "Any questions?", ScheduleAt = later, CancelOnReply = true });
        var plain = await organization.SendAsync(new { From = channel, To = carol, Body = "Reminder", ScheduleAt = later });
        Assert.Equal(first.Long("conversation_id"), followUp.Long("conversation_id"));
        var firstId = (await organization.Client.GetOkAsync($"/v1/messages/{first.Id()}")).GetProperty("message_id").GetString();

        await organization.ReceiveAsync(channelId, InboundSupport.Email(carol, channel, "Auto: Quote", "I am away", headers: [$"In-Reply-To: <{firstId}>", "Auto-Submitted: auto-replied"]));
        Assert.Equal("scheduled", (await organization.Client.GetOkAsync($"/v1/messages/{followUp.Id()}")).GetProperty("delivery_status").GetString());

        await organization.ReceiveAsync(channelId, InboundSupport.Email(carol, channel, "Re: Quote", "Looks good", headers: [$"In-Reply-To: <{firstId}>"]));

        var canceled = await organization.Client.GetOkAsync($"/v1/messages/{followUp.Id()}");
        Assert.Equal("canceled", canceled.GetProperty("delivery_status").GetString());
        Assert.Equal("contact_replied", canceled.GetProperty("cancel_reason").GetString());
        Assert.True(canceled.GetProperty("cancel_on_reply").GetBoolean());
        var untouched = await organization.Client.GetOkAsync($"/v1/messages/{plain.Id()}");
        Assert.Equal("scheduled", untouched.GetProperty("delivery_status").GetString());
        Assert.False(untouched.GetProperty("cancel_on_reply").GetBoolean());
    }

    [Fact]
    public async Task An_inbox_style_follow_up_without_a_reply_is_sent()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var to = MailDev.UniqueAddress("noreply");
        var first = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, ConvTitle = "Offer", Text = "An offer", Targets = new[] { $"to:{to}" } });
        var soon = DateTimeOffset.UtcNow.AddSeconds(3).ToString("O");

        var followUp = await setup.SendAsync(new
        {
            CreatorId = setup.UserId, Inbox = setup.InboxId, ConvoId = first.GetProperty("convo_id").GetInt64(), Text = "Still interested?",
            ScheduleAt = soon, CancelOnReply = true,
        });

        var sent = await setup.Organization.WaitForStatusAsync(followUp.Id(), TimeSpan.FromSeconds(30), "sent");
        Assert.True(sent.GetProperty("cancel_on_reply").GetBoolean());
        Assert.Equal(2, (await MailDev.WaitForAsync(to, 2)).Count);
    }

    [Fact]
    public async Task An_inbox_style_follow_up_is_canceled_by_a_reply()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var to = MailDev.UniqueAddress("replier");
        var first = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, ConvTitle = "Offer", Text = "An offer", Targets = new[] { $"to:{to}" } });
        var followUp = await setup.SendAsync(new
        {
            CreatorId = setup.UserId, Inbox = setup.InboxId, ConvoId = first.GetProperty("convo_id").GetInt64(), Text = "Still interested?",
            ScheduleAt = DateTimeOffset.UtcNow.AddSeconds(6).ToString("O"), CancelOnReply = true,
        });

        // No thread headers: the subject finds the conversation.
        await setup.Organization.ReceiveAsync(setup.ChannelId, InboundSupport.Email(to, setup.ChannelEmail, "Re: Offer", "Yes!"));

        await setup.Organization.WaitForStatusAsync(first.Id(), TimeSpan.FromSeconds(20), "sent");
        await Task.Delay(TimeSpan.FromSeconds(8));
        var canceled = await setup.Organization.Client.GetOkAsync($"/v1/messages/{followUp.Id()}");
        Assert.Equal("canceled", canceled.GetProperty("delivery_status").GetString());
        Assert.Equal("contact_replied", canceled.GetProperty("cancel_reason").GetString());
        Assert.Single(await MailDev.WaitForAsync(to));
    }
}
