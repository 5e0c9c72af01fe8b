using System.Net;
using MimeKit;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Inbound;

/// <summary><c>dry_run=true</c> on both send dialects: the email that would go out, and nothing stored or sent.</summary>
[Collection(ApiCollection.Name)]
public sealed class DryRunTests(ApiFactory api)
{
    [Fact]
    public async Task A_channel_style_dry_run_answers_with_the_mime_and_creates_no_contact_conversation_message_or_idempotency_record()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(senderName: "Acme");
        var to = MailDev.UniqueAddress("dry");
        var bcc = MailDev.UniqueAddress("hidden");

        using var response = await organization.Client.PostJsonAsync("/v1/messaging/email?dry_run=true", new
        {
            From = channel, To = $"Dana <{to}>", Bcc = new[] { bcc }, Subject = "Preview me", Body = "<p>Hello <b>Dana</b></p>",
            Attachments = new[] { "https://files.example.com/a.pdf" }, LocalId = "dry-key-1",
        });

        var preview = await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.True(preview.GetProperty("dry_run").GetBoolean());
        Assert.Equal("queued", preview.GetProperty("delivery_status").GetString());
        Assert.Equal(JsonValueKindNull, preview.GetProperty("contact_id").ValueKind);
        Assert.Equal(JsonValueKindNull, preview.GetProperty("conversation_id").ValueKind);
        Assert.Equal(channel, preview.GetProperty("envelope_from").GetString());
        Assert.Equal([to, bcc], preview.GetProperty("recipients").EnumerateArray().Select(r => r.GetProperty("address").GetString()));
        Assert.Equal(["https://files.example.com/a.pdf"], preview.GetProperty("attachments").EnumerateArray().Select(a => a.GetString()));
        var mime = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(preview.GetProperty("raw").GetString()!)));
        Assert.Equal("Preview me", mime.Subject);
        Assert.Equal(to, mime.To.Mailboxes.Single().Address);
        Assert.Empty(mime.Bcc);
        Assert.Equal(preview.GetProperty("message_id").GetString(), mime.MessageId);
        Assert.Contains("<b>Dana</b>", mime.HtmlBody);

        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/contacts")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/conversations")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/messages")).GetProperty("total").GetInt32());

        // The key was not used up: a real send with it and another body is accepted, not a 422.
        var real = await organization.SendAsync(new { From = channel, To = to, Subject = "Now for real", Body = "Hi", LocalId = "dry-key-1" });
        await organization.WaitForStatusAsync(real.Id(), TimeSpan.FromSeconds(20), "sent");
        var delivered = await MailDev.WaitForAsync(to);
        Assert.Single(delivered);
        Assert.Empty(await MailDev.ForRecipientAsync(bcc));
    }

    [Fact]
    public async Task An_inbox_style_dry_run_reply_is_threaded_and_leaves_the_conversation_as_it_was()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var to = MailDev.UniqueAddress("thread");
        var first = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, ConvTitle = "Plans", Text = "First", Targets = new[] { $"to:{to}" } });
        var conversationId = first.GetProperty("convo_id").GetInt64();
        var firstMessageId = (await setup.Organization.Client.GetOkAsync($"/v1/messages/{first.Id()}")).GetProperty("message_id").GetString();
        var before = await setup.Organization.Client.GetOkAsync($"/v1/conversations/{conversationId}");

        using var response = await setup.Organization.Client.PostJsonAsync("/v1/email/send?dry_run=true",
            new { CreatorId = setup.UserId, Inbox = setup.InboxId, ConvoId = conversationId, Text = "Second" });

        var preview = await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
        Assert.Equal(conversationId, preview.GetProperty("conversation_id").GetInt64());
        var mime = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(preview.GetProperty("raw").GetString()!)));
        Assert.Equal(firstMessageId, mime.InReplyTo);
        Assert.Equal("Re: Plans", mime.Subject);
        var thread = await setup.Organization.Client.GetOkAsync($"/v1/conversations/{conversationId}/messages");
        Assert.Equal(1, thread.GetProperty("total").GetInt32());
        var after = await setup.Organization.Client.GetOkAsync($"/v1/conversations/{conversationId}");
        Assert.Equal(before.GetProperty("last_message_at").GetDateTimeOffset(), after.GetProperty("last_message_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_dry_run_validates_like_a_send()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();

        using var response = await organization.Client.PostJsonAsync("/v1/messaging/email?dry_run=true", new { From = channel, To = "invalid@something", Body = "x" });

        await ApiAssert.ValidationProblemAsync(response, "to");
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
