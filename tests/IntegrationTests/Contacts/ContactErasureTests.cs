using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Npgsql;

namespace Modular.IntegrationTests.Contacts;

/// <summary>DELETE /v1/contacts/{id}: a contact erased from everything the API shows, its conversations still counted.</summary>
[Collection(ApiCollection.Name)]
public sealed class ContactErasureTests(ApiFactory api)
{
    [Fact]
    public async Task An_erased_contact_is_gone_from_contacts_conversations_and_messages_and_its_scheduled_email_is_canceled()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var address = $"bob.{Guid.NewGuid():N}@customer.example.com";
        var sent = await organization.SendAsync(new
        {
            From = channelEmail,
            To = $"Bob Builder <{address}>",
            Subject = "Your order, Bob Builder",
            Body = "<p>Dear Bob Builder, your parcel is on its way.</p>",
        });
        var contactId = sent.GetProperty("contact_id").GetInt64();
        var conversationId = sent.GetProperty("conversation_id").GetInt64();
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "sent");
        using (var raw = await organization.Client.GetAsync($"/v1/messages/{sent.Id()}/raw"))
        {
            Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        }

        var scheduled = await organization.SendAsync(new
        {
            From = channelEmail,
            To = address,
            Subject = "Follow-up for Bob Builder",
            Body = "Still happy, Bob Builder?",
            ScheduleAt = DateTimeOffset.UtcNow.AddDays(2),
        });
        Assert.Equal(conversationId, scheduled.GetProperty("conversation_id").GetInt64());
        Assert.Equal("scheduled", scheduled.GetProperty("delivery_status").GetString());

        using (var erase = await organization.Client.DeleteAsync($"/v1/contacts/{contactId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        }

        using (var gone = await organization.Client.GetAsync($"/v1/contacts/{contactId}"))
        {
            await ApiAssert.ProblemAsync(gone, HttpStatusCode.NotFound);
        }

        var byEmail = await organization.Client.GetOkAsync($"/v1/contacts?email={Uri.EscapeDataString(address)}");
        Assert.Equal(0, byEmail.GetProperty("total").GetInt32());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/contacts")).GetProperty("total").GetInt32());

        // The conversation is still there and still counted, with nothing of Bob in it.
        var conversations = await organization.Client.GetOkAsync($"/v1/conversations?contact_id={contactId}");
        Assert.Equal([conversationId], conversations.Ids());
        var conversation = await organization.Client.GetOkAsync($"/v1/conversations/{conversationId}");
        var messages = await organization.Client.GetOkAsync($"/v1/conversations/{conversationId}/messages");
        Assert.Equal(2, messages.GetProperty("total").GetInt32());
        var first = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        var followUp = await organization.Client.GetOkAsync($"/v1/messages/{scheduled.Id()}");
        foreach (var shown in new[] { conversation, messages, first, followUp })
        {
            var text = shown.GetRawText();
            Assert.DoesNotContain(address, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Bob", text, StringComparison.Ordinal);
        }

        Assert.Equal(JsonValueKind.Null, first.GetProperty("html_body").ValueKind);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("text_body").ValueKind);
        Assert.Equal("sent", first.GetProperty("delivery_status").GetString());
        Assert.Equal($"erased-{contactId}@erased.invalid", Assert.Single(first.GetProperty("to").EnumerateArray()).GetString());
        Assert.Equal("canceled", followUp.GetProperty("delivery_status").GetString());
        Assert.Equal("contact_erased", followUp.GetProperty("cancel_reason").GetString());
        using (var raw = await organization.Client.GetAsync($"/v1/messages/{sent.Id()}/raw"))
        {
            await ApiAssert.ProblemAsync(raw, HttpStatusCode.NotFound);
        }

        using (var again = await organization.Client.DeleteAsync($"/v1/contacts/{contactId}"))
        {
            await ApiAssert.ProblemAsync(again, HttpStatusCode.NotFound);
        }

        using (var rename = await organization.Client.PatchJsonAsync($"/v1/contacts/{contactId}", new { Name = "Bob" }))
        {
            await ApiAssert.ProblemAsync(rename, HttpStatusCode.NotFound);
        }

        // The address is free again: a new send to it makes a new contact, in a new conversation.
        var later = await organization.SendAsync(new { From = channelEmail, To = address, Subject = "Hello again", Body = "Hi" });
        Assert.NotEqual(contactId, later.GetProperty("contact_id").GetInt64());
        Assert.NotEqual(conversationId, later.GetProperty("conversation_id").GetInt64());
    }

    [Fact]
    public async Task Erasure_is_announced_by_contact_erased_with_only_the_id_and_the_canceled_follow_up()
    {
        await using var receiver = new WebhookReceiver();
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = new[] { "contact.erased", "message.canceled" } });
        var address = MailDev.UniqueAddress("erased");
        var scheduled = await organization.SendAsync(new { From = channelEmail, To = address, Body = "Later", ScheduleAt = DateTimeOffset.UtcNow.AddDays(1) });
        var contactId = scheduled.GetProperty("contact_id").GetInt64();

        using (var erase = await organization.Client.DeleteAsync($"/v1/contacts/{contactId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        }

        var delivered = await receiver.WaitForAsync(r => r.Count >= 2, TimeSpan.FromSeconds(30), "contact.erased and message.canceled");
        var erased = Assert.Single(delivered, r => r.Type == "contact.erased");
        Assert.Equal(["contact_id", "erased_at"], erased.Data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(contactId, erased.Data.GetProperty("contact_id").GetInt64());
        var canceled = Assert.Single(delivered, r => r.Type == "message.canceled");
        Assert.Equal(scheduled.Id(), canceled.Data.GetProperty("message_id").GetInt64());
        Assert.Equal("contact_erased", canceled.Data.GetProperty("reason").GetString());
        Assert.All(delivered, r => Assert.DoesNotContain(address, r.Body, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Another_organizations_contact_cannot_be_erased_and_stays_intact()
    {
        var owner = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var contact = await owner.Client.CreateAsync("/v1/contacts", new { Email = $"kim.{Guid.NewGuid():N}@customer.example.com", Name = "Kim" });

        using var response = await other.Client.DeleteAsync($"/v1/contacts/{contact.Id()}");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        var kept = await owner.Client.GetOkAsync($"/v1/contacts/{contact.Id()}");
        Assert.Equal("Kim", kept.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_message_changed_while_its_contact_is_erased_gives_409_with_nothing_erased_and_the_retry_erases()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var scheduled = await organization.SendAsync(new { From = channelEmail, To = MailDev.UniqueAddress("raced"), Body = "Later", ScheduleAt = DateTimeOffset.UtcNow.AddDays(1) });
        var contactId = scheduled.GetProperty("contact_id").GetInt64();

        // Another writer holds the message's row (as a delivery saving its outcome would), and changes it.
        await using var writer = new NpgsqlConnection(api.ConnectionString);
        await writer.OpenAsync();
        await using var transaction = await writer.BeginTransactionAsync();
        await ExecuteAsync(writer, "SELECT 1 FROM messages WHERE id = @id FOR UPDATE", scheduled.Id());
        var erasing = organization.Client.DeleteAsync($"/v1/contacts/{contactId}");
        await WaitUntilBlockedByAsync(writer);
        await ExecuteAsync(writer, "UPDATE messages SET subject = subject WHERE id = @id", scheduled.Id());
        await transaction.CommitAsync();

        using (var erase = await erasing)
        {
            var problem = await ApiAssert.ProblemAsync(erase, HttpStatusCode.Conflict);
            Assert.Contains("send the request again", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Nothing of the erasure was saved: the contact and its scheduled message are as they were.
        Assert.Equal(contactId, (await organization.Client.GetOkAsync($"/v1/contacts/{contactId}")).Id());
        Assert.Equal("scheduled", (await organization.Client.GetOkAsync($"/v1/messages/{scheduled.Id()}")).GetProperty("delivery_status").GetString());

        using (var retried = await organization.Client.DeleteAsync($"/v1/contacts/{contactId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        }

        Assert.Equal("canceled", (await organization.Client.GetOkAsync($"/v1/messages/{scheduled.Id()}")).GetProperty("delivery_status").GetString());
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, long id)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Until a statement of another session waits for a lock <paramref name="holder"/> has.</summary>
    private static async Task WaitUntilBlockedByAsync(NpgsqlConnection holder)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await using var probe = new NpgsqlConnection(holder.ConnectionString);
        await probe.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE @holder = ANY (pg_blocking_pids(pid))", probe);
        command.Parameters.AddWithValue("holder", holder.ProcessID);
        while ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The erasure never waited for the other writer's row.");
            await Task.Delay(50);
        }
    }
}
