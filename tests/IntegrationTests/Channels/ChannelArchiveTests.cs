using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;

namespace Modular.IntegrationTests.Channels;

/// <summary>DELETE /v1/channels/{id} archives: no new sends, history kept, what was accepted is delivered.</summary>
[Collection(ApiCollection.Name)]
public sealed class ChannelArchiveTests(ApiFactory api)
{
    [Fact]
    public async Task An_archived_channel_refuses_new_sends_naming_it_and_keeps_its_history()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var organization = setup.Organization;
        var address = $"carol.{Guid.NewGuid():N}@customer.example.com";
        var sent = await organization.SendAsync(new { From = setup.ChannelEmail, To = address, Subject = "Before", Body = "Hello" });
        var scheduled = await organization.SendAsync(new
        {
            From = setup.ChannelEmail, To = address, Subject = "Later", Body = "Hello again", ScheduleAt = DateTimeOffset.UtcNow.AddDays(1),
        });

        using (var archive = await organization.Client.DeleteAsync($"/v1/channels/{setup.ChannelId}"))
        {
            var archived = await ApiAssert.StatusAsync(archive, HttpStatusCode.OK);
            Assert.Equal(JsonValueKind.String, archived.GetProperty("archived_at").ValueKind);
        }

        var listed = (await organization.Client.GetOkAsync("/v1/channels")).GetProperty("data").EnumerateArray().Single(c => c.Id() == setup.ChannelId);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("archived_at").ValueKind);
        Assert.Equal(JsonValueKind.String, (await organization.Client.GetOkAsync($"/v1/channels/{setup.ChannelId}")).GetProperty("archived_at").ValueKind);

        using (var channelStyle = await organization.Client.PostJsonAsync("/v1/messaging/email", new { From = setup.ChannelEmail, To = address, Subject = "After", Body = "x" }))
        {
            var problem = await ApiAssert.ValidationProblemAsync(channelStyle, "from");
            Assert.Contains(setup.ChannelId.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("errors").GetProperty("from")[0].GetString(), StringComparison.Ordinal);
        }

        using (var byId = await organization.Client.PostJsonAsync("/v1/messaging/email", new { From = setup.ChannelId.ToString(System.Globalization.CultureInfo.InvariantCulture), To = address, Body = "x" }))
        {
            await ApiAssert.ValidationProblemAsync(byId, "from");
        }

        using (var inboxStyle = await organization.Client.PostJsonAsync("/v1/email/send", new
        {
            CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "x", Targets = new[] { $"to:{address}" },
        }))
        {
            await ApiAssert.ValidationProblemAsync(inboxStyle, "inbox");
        }

        using (var newInbox = await organization.Client.PostJsonAsync("/v1/inboxes", new { Name = "Late", ChannelId = setup.ChannelId }))
        {
            await ApiAssert.ValidationProblemAsync(newInbox, "channel_id");
        }

        // History stays readable; what was accepted before is delivered (and a scheduled one can still be canceled).
        var conversationId = sent.GetProperty("conversation_id").GetInt64();
        await organization.Client.GetOkAsync($"/v1/conversations/{conversationId}");
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "sent");
        Assert.Equal("scheduled", (await organization.Client.GetOkAsync($"/v1/messages/{scheduled.Id()}")).GetProperty("delivery_status").GetString());
        using (var cancel = await organization.Client.PostAsync($"/v1/messages/{scheduled.Id()}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        using (var again = await organization.Client.DeleteAsync($"/v1/channels/{setup.ChannelId}"))
        {
            await ApiAssert.ProblemAsync(again, HttpStatusCode.Conflict);
        }
    }

    [Fact]
    public async Task Another_organizations_channel_cannot_be_archived()
    {
        var owner = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var (channelId, _) = await owner.CreateChannelAsync();

        using var response = await other.Client.DeleteAsync($"/v1/channels/{channelId}");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(JsonValueKind.Null, (await owner.Client.GetOkAsync($"/v1/channels/{channelId}")).GetProperty("archived_at").ValueKind);
    }
}
