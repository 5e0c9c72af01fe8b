using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Scheduling;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Deliverability;

/// <summary>The organization's suppression list: managed through the API, screened by both send dialects when accepting and when sending.</summary>
[Collection(ApiCollection.Name)]
public sealed class SuppressionTests(ApiFactory api)
{
    [Fact]
    public async Task A_manual_suppression_is_listed_found_by_address_or_reason_and_removed()
    {
        var organization = await api.CreateOrganizationAsync();
        var (ann, bob) = (MailDev.UniqueAddress("ann"), MailDev.UniqueAddress("bob"));

        using (var created = await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = ann.ToUpperInvariant(), Reason = "manual" }))
        {
            var body = await ApiAssert.StatusAsync(created, HttpStatusCode.Created);
            Assert.Equal("manual", body.GetProperty("reason").GetString());
        }

        using (var noReason = await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = bob }))
        {
            await ApiAssert.StatusAsync(noReason, HttpStatusCode.Created);
        }

        using (var again = await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = ann, Reason = "manual" }))
        {
            await ApiAssert.ProblemAsync(again, HttpStatusCode.Conflict);
        }

        var all = await organization.Client.GetOkAsync("/v1/suppressions");
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        var one = await organization.Client.GetOkAsync($"/v1/suppressions?email={Uri.EscapeDataString(ann)}");
        Assert.Equal(ann.ToUpperInvariant(), Assert.Single(one.GetProperty("data").EnumerateArray()).GetProperty("email").GetString());
        Assert.Equal(2, (await organization.Client.GetOkAsync("/v1/suppressions?reason=manual")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/suppressions?reason=complaint")).GetProperty("total").GetInt32());
        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/suppressions?limit=1&offset=1")).GetProperty("data").GetArrayLength());

        // Nothing crosses organizations.
        var other = await api.CreateOrganizationAsync();
        Assert.Equal(0, (await other.Client.GetOkAsync("/v1/suppressions")).GetProperty("total").GetInt32());
        using (var foreign = await other.Client.DeleteAsync($"/v1/suppressions/{Uri.EscapeDataString(ann)}"))
        {
            await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
        }

        using (var removed = await organization.Client.DeleteAsync($"/v1/suppressions/{Uri.EscapeDataString(ann)}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        using (var gone = await organization.Client.DeleteAsync($"/v1/suppressions/{Uri.EscapeDataString(ann)}"))
        {
            await ApiAssert.ProblemAsync(gone, HttpStatusCode.NotFound);
        }

        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/suppressions")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Bad_input_names_the_field()
    {
        var organization = await api.CreateOrganizationAsync();
        using (var complaint = await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = "ann@example.com", Reason = "complaint" }))
        {
            await ApiAssert.ValidationProblemAsync(complaint, "reason");
        }

        using (var noAddress = await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = "invalid@something", Reason = "manual" }))
        {
            await ApiAssert.ValidationProblemAsync(noAddress, "email");
        }

        using (var badReason = await organization.Client.GetAsync("/v1/suppressions?reason=bounced"))
        {
            await ApiAssert.ValidationProblemAsync(badReason, "reason");
        }

        using var badAddress = await organization.Client.DeleteAsync("/v1/suppressions/not-an-address");
        await ApiAssert.ValidationProblemAsync(badAddress, "email");
    }

    [Fact]
    public async Task Both_send_dialects_leave_a_suppressed_address_out_when_accepting_and_say_why()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var organization = setup.Organization;
        var (blocked, kept) = (MailDev.UniqueAddress("suppressed"), MailDev.UniqueAddress("kept"));
        await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = blocked, Reason = "manual" });

        var channelSend = await organization.SendAsync(new { From = setup.ChannelEmail, To = blocked, Body = "Hello" });
        Assert.Equal("blocked", channelSend.GetProperty("delivery_status").GetString());
        var message = await organization.Client.GetOkAsync($"/v1/messages/{channelSend.Id()}");
        var result = Assert.Single(message.GetProperty("compliance_results").EnumerateArray());
        Assert.Equal((blocked, "suppressed:manual"), (result.GetProperty("address").GetString(), result.GetProperty("reason").GetString()));

        var inboxSend = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "Hi", ConvTitle = "Hi", Targets = new[] { $"to:{kept}", $"cc:{blocked}" } });
        Assert.True(inboxSend.GetProperty("queued").GetBoolean());
        Assert.Equal("suppressed:manual", inboxSend.GetProperty("compliance_results").GetProperty(blocked).GetString());

        var onlySuppressed = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "Hi", ConvTitle = "Hi", Targets = new[] { $"to:{blocked}" } });
        Assert.False(onlySuppressed.GetProperty("queued").GetBoolean());

        await MailDev.WaitForAsync(kept);
        await Task.Delay(500);
        Assert.Empty(await MailDev.ForRecipientAsync(blocked));
    }

    [Fact]
    public async Task A_scheduled_message_to_an_address_suppressed_after_scheduling_is_not_sent()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress("later");
        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "Later", ScheduleAt = ScheduledSendTests.At(TimeSpan.FromSeconds(3)) });
        Assert.Equal("scheduled", sent.GetProperty("delivery_status").GetString());

        using (var suppressed = await organization.Client.PostJsonAsync("/v1/suppressions", new { Email = to, Reason = "manual" }))
        {
            await ApiAssert.StatusAsync(suppressed, HttpStatusCode.Created);
        }

        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "blocked", "sent", "failed");
        Assert.Equal("blocked", message.GetProperty("delivery_status").GetString());
        Assert.Equal("suppressed:manual", Assert.Single(message.GetProperty("compliance_results").EnumerateArray()).GetProperty("reason").GetString());
        Assert.Equal("excluded", Assert.Single(message.GetProperty("recipients").EnumerateArray()).GetProperty("status").GetString());
        Assert.Empty(message.GetProperty("attempts").EnumerateArray());
        await Task.Delay(1000);
        Assert.Empty(await MailDev.ForRecipientAsync(to));
    }
}
