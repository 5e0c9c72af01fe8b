using System.Net;
using System.Net.Http.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Conversations;

[Collection(ApiCollection.Name)]
public sealed class ConversationTests(ApiFactory api)
{
    [Fact]
    public async Task Conversations_are_listed_filtered_and_paged()
    {
        var organization = await api.CreateOrganizationAsync();
        var (salesId, sales) = await organization.CreateChannelAsync();
        var (_, support) = await organization.CreateChannelAsync();
        var a = await organization.SendAsync(new { From = sales, To = MailDev.UniqueAddress(), Subject = "A", Body = "a" });
        var b = await organization.SendAsync(new { From = sales, To = MailDev.UniqueAddress(), Subject = "B", Body = "b", ConversationStatus = "closed" });
        var c = await organization.SendAsync(new { From = support, To = MailDev.UniqueAddress(), Subject = "C", Body = "c", ConversationStatus = "automated" });
        long Conversation(System.Text.Json.JsonElement sent) => sent.GetProperty("conversation_id").GetInt64();

        var all = await organization.Client.GetOkAsync("/v1/conversations");
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        Assert.Equal([Conversation(c), Conversation(b), Conversation(a)], all.Ids());

        var onSales = await organization.Client.GetOkAsync($"/v1/conversations?channel_id={salesId}");
        Assert.Equal([Conversation(b), Conversation(a)], onSales.Ids());

        var closedOrAutomated = await organization.Client.GetOkAsync("/v1/conversations?status[]=closed&status[]=automated");
        Assert.Equal([Conversation(c), Conversation(b)], closedOrAutomated.Ids());

        var open = await organization.Client.GetOkAsync("/v1/conversations?status[]=open");
        Assert.Equal([Conversation(a)], open.Ids());

        var byContact = await organization.Client.GetOkAsync($"/v1/conversations?contact_id={a.GetProperty("contact_id").GetInt64()}");
        Assert.Equal([Conversation(a)], byContact.Ids());

        var page = await organization.Client.GetOkAsync("/v1/conversations?limit=1&offset=1");
        Assert.Equal([Conversation(b)], page.Ids());
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(1, page.GetProperty("limit").GetInt32());
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
    }

    [Theory]
    [InlineData("/v1/conversations?limit=0", "limit")]
    [InlineData("/v1/conversations?limit=501", "limit")]
    [InlineData("/v1/conversations?offset=-1", "offset")]
    [InlineData("/v1/conversations?status[]=deleted", "status[0]")]
    public async Task Bad_list_parameters_answer_422_naming_them(string path, string field)
    {
        var organization = await api.CreateOrganizationAsync();

        using var response = await organization.Client.GetAsync(path);

        await ApiAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Show_conversation_has_participants_and_messages_with_their_delivery_status()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();
        var first = await organization.SendAsync(new { From = channel, To = to, Subject = "Hello", Body = "One" });
        var second = await organization.SendAsync(new { From = channel, To = to, Body = "Two" });
        var conversationId = first.GetProperty("conversation_id").GetInt64();
        // The two are delivered concurrently, so either may finish first: wait for both.
        await organization.WaitForStatusAsync(first.Id(), TimeSpan.FromSeconds(20), "sent");
        await organization.WaitForStatusAsync(second.Id(), TimeSpan.FromSeconds(20), "sent");

        var conversation = await organization.Client.GetOkAsync($"/v1/conversations/{conversationId}");
        Assert.Equal("Hello", conversation.GetProperty("title").GetString());
        Assert.Equal("open", conversation.GetProperty("status").GetString());
        Assert.Equal(channelId, conversation.GetProperty("channel_id").GetInt64());
        var participant = Assert.Single(conversation.GetProperty("participants").EnumerateArray());
        Assert.Equal(to, participant.GetProperty("address").GetString());
        Assert.Equal(2, conversation.GetProperty("messages").GetArrayLength());

        var messages = await organization.Client.GetOkAsync($"/v1/conversations/{conversationId}/messages");
        Assert.Equal([first.Id(), second.Id()], messages.Ids());
        Assert.All(messages.GetProperty("data").EnumerateArray(), m =>
        {
            Assert.Equal("sent", m.GetProperty("delivery_status").GetString());
            Assert.NotEqual(System.Text.Json.JsonValueKind.Null, m.GetProperty("sent_at").ValueKind);
            Assert.NotEmpty(m.GetProperty("message_id").GetString()!);
        });
        var paged = await organization.Client.GetOkAsync($"/v1/conversations/{conversationId}/messages?limit=1&offset=1");
        Assert.Equal([second.Id()], paged.Ids());
        Assert.Equal(2, paged.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Conversation_status_is_changed_with_put()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hi" });
        var path = $"/v1/conversations/{sent.GetProperty("conversation_id").GetInt64()}";

        using (var put = await organization.Client.PutAsJsonAsync(path, new { status = "spam" }))
        {
            var updated = await ApiAssert.StatusAsync(put, HttpStatusCode.OK);
            Assert.Equal("spam", updated.GetProperty("status").GetString());
        }

        using var bad = await organization.Client.PutAsJsonAsync(path, new { status = "archived" });
        await ApiAssert.ValidationProblemAsync(bad, "status");
        Assert.Equal("spam", (await organization.Client.GetOkAsync(path)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Conversations_and_messages_of_another_organization_are_not_found()
    {
        var owner = await api.CreateOrganizationAsync();
        var (_, channel) = await owner.CreateChannelAsync();
        var sent = await owner.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Private" });
        var conversation = sent.GetProperty("conversation_id").GetInt64();
        var other = await api.CreateOrganizationAsync();

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, $"/v1/conversations/{conversation}"),
                     (HttpMethod.Get, $"/v1/conversations/{conversation}/messages"),
                     (HttpMethod.Put, $"/v1/conversations/{conversation}"),
                     (HttpMethod.Get, $"/v1/messages/{sent.Id()}"),
                     (HttpMethod.Post, $"/v1/messages/{sent.Id()}/retry"),
                 })
        {
            using var response = await other.Client.SendRawJsonAsync(method, path, """{"status":"closed"}""");
            await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        }

        Assert.Equal(0, (await other.Client.GetOkAsync("/v1/conversations")).GetProperty("total").GetInt32());
        Assert.Equal("open", (await owner.Client.GetOkAsync($"/v1/conversations/{conversation}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Retry_of_a_message_that_is_not_uncertain_or_failed_is_a_conflict()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hi" });
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "sent");

        using var response = await organization.Client.PostAsync($"/v1/messages/{sent.Id()}/retry", null);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
    }
}
