using System.Net;
using MimeKit;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

[Collection(ApiCollection.Name)]
public sealed class SendInboxEmailTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task New_thread_goes_to_all_to_and_cc_targets_in_one_email_and_a_reply_threads_to_it()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var (a, b, c) = (MailDev.UniqueAddress("a"), MailDev.UniqueAddress("b"), MailDev.UniqueAddress("c"));

        var first = await setup.SendAsync(new
        {
            CreatorId = setup.UserId,
            Inbox = setup.InboxId,
            Text = "<p>Welcome to <b>Acme</b></p>",
            RawText = "Welcome to Acme",
            ConvTitle = "Welcome aboard",
            Targets = new[] { $"to:{a}, {b}", $"cc:{c}" },
        });
        Assert.True(first.GetProperty("queued").GetBoolean());
        Assert.Empty(first.GetProperty("compliance_results").EnumerateObject());
        Assert.True(DateTimeOffset.TryParse(first.GetProperty("date").GetString(), out _));
        var convoId = first.GetProperty("convo_id").GetInt64();
        await setup.Organization.WaitForStatusAsync(first.Id(), Delivery, "sent");

        var received = Assert.Single(await MailDev.WaitForAsync(a));
        var email = await MailDev.SourceAsync(received);
        Assert.Equal("Welcome aboard", email.Subject);
        Assert.Equal(new[] { a, b }.Order(), email.To.Mailboxes.Select(m => m.Address).Order());
        Assert.Equal(c, Assert.Single(email.Cc.Mailboxes).Address);
        Assert.Equal("Acme Support", Assert.Single(email.From.Mailboxes).Name);
        Assert.Equal(setup.ChannelEmail, Assert.Single(email.From.Mailboxes).Address);
        Assert.Equal("Welcome to Acme", email.TextBody?.Trim());
        Assert.Contains("<b>Acme</b>", email.HtmlBody, StringComparison.Ordinal);
        Assert.Single(await MailDev.ForRecipientAsync(b));
        Assert.Single(await MailDev.ForRecipientAsync(c));

        var conversation = await setup.Organization.Client.GetOkAsync($"/v1/conversations/{convoId}");
        Assert.Equal("Welcome aboard", conversation.GetProperty("title").GetString());
        Assert.Equal(setup.InboxId, conversation.GetProperty("inbox_id").GetInt64());
        Assert.Equal(3, conversation.GetProperty("participants").GetArrayLength());
        var message = await setup.Organization.Client.GetOkAsync($"/v1/messages/{first.Id()}");
        Assert.Equal(setup.UserId, message.GetProperty("creator_id").GetInt64());
        foreach (var address in new[] { a, b })
        {
            var contacts = await setup.Organization.Client.GetOkAsync($"/v1/contacts?email={Uri.EscapeDataString(address)}");
            Assert.Equal(1, contacts.GetProperty("total").GetInt32());
        }

        var reply = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "<p>One more thing</p>", ConvoId = convoId });
        Assert.Equal(convoId, reply.GetProperty("convo_id").GetInt64());
        await setup.Organization.WaitForStatusAsync(reply.Id(), Delivery, "sent");

        var replies = await MailDev.WaitForAsync(a, count: 2);
        var replyEmail = (await Task.WhenAll(replies.Select(MailDev.SourceAsync))).Single(m => m.InReplyTo is not null);
        Assert.Equal(email.MessageId, replyEmail.InReplyTo);
        Assert.Contains(email.MessageId, replyEmail.References);
        Assert.Equal("Re: Welcome aboard", replyEmail.Subject);
        Assert.Equal(new[] { a, b }.Order(), replyEmail.To.Mailboxes.Select(m => m.Address).Order());
        Assert.Equal(c, Assert.Single(replyEmail.Cc.Mailboxes).Address);
        Assert.Contains("One more thing", replyEmail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_text_goes_out_as_text_plain_and_html_as_multipart_alternative()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var (plainTo, htmlTo) = (MailDev.UniqueAddress("plain"), MailDev.UniqueAddress("html"));

        var plain = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "a < b & c", ConvTitle = "Plain", Targets = new[] { $"to:{plainTo}" } });
        var html = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "<p>a &lt; b</p>", ConvTitle = "Html", Targets = new[] { $"to:{htmlTo}" } });
        await setup.Organization.WaitForStatusAsync(plain.Id(), Delivery, "sent");
        await setup.Organization.WaitForStatusAsync(html.Id(), Delivery, "sent");

        var plainEmail = await MailDev.SourceAsync(Assert.Single(await MailDev.WaitForAsync(plainTo)));
        var plainPart = Assert.IsType<TextPart>(plainEmail.Body);
        Assert.Equal("text/plain", plainPart.ContentType.MimeType);
        Assert.Equal("a < b & c", plainPart.Text.Trim());
        Assert.Null(plainEmail.HtmlBody);

        var htmlEmail = await MailDev.SourceAsync(Assert.Single(await MailDev.WaitForAsync(htmlTo)));
        Assert.Equal("multipart/alternative", htmlEmail.Body?.ContentType.MimeType);
        Assert.Equal("a < b", htmlEmail.TextBody?.Trim());
        Assert.Contains("<p>a &lt; b</p>", htmlEmail.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_is_an_address_list_so_a_quoted_name_with_a_comma_is_one_recipient()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var (jane, bob, cid) = (MailDev.UniqueAddress("jane"), MailDev.UniqueAddress("bob"), MailDev.UniqueAddress("cid"));

        var sent = await setup.SendAsync(new
        {
            CreatorId = setup.UserId,
            Inbox = setup.InboxId,
            Text = "Hello",
            ConvTitle = "Names with commas",
            Targets = new[] { $"to:\"Doe, Jane\" <{jane}>, {bob}", $"cc:\"Lee, Cid\" <{cid}>" },
        });
        await setup.Organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var email = await MailDev.SourceAsync(Assert.Single(await MailDev.WaitForAsync(jane)));
        Assert.Equal([(jane, "Doe, Jane"), (bob, "")], email.To.Mailboxes.Select(m => (m.Address, m.Name ?? string.Empty)));
        Assert.Equal((cid, "Lee, Cid"), email.Cc.Mailboxes.Select(m => (m.Address, m.Name)).Single());
        var contacts = await setup.Organization.Client.GetOkAsync($"/v1/contacts?email={Uri.EscapeDataString(jane)}");
        Assert.Equal("Doe, Jane", contacts.GetProperty("data")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Opted_out_to_recipient_is_listed_in_compliance_results_while_the_others_still_receive_the_email()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var (optedOut, other, copy) = (MailDev.UniqueAddress("out"), MailDev.UniqueAddress("in"), MailDev.UniqueAddress("cc"));
        var contact = await setup.Organization.Client.CreateAsync("/v1/contacts", new { Email = optedOut });
        using (var response = await setup.Organization.Client.PostJsonAsync($"/v1/contacts/{contact.Id()}/opt_out", new { ChannelIds = new[] { setup.ChannelId } }))
        {
            await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
        }

        var sent = await setup.SendAsync(new
        {
            CreatorId = setup.UserId,
            Inbox = setup.InboxId,
            Text = "Hello",
            ConvTitle = "News",
            Targets = new[] { $"to:{optedOut},{other}", $"cc:{copy}" },
        });

        Assert.True(sent.GetProperty("queued").GetBoolean());
        var compliance = sent.GetProperty("compliance_results");
        Assert.Equal("opted_out", compliance.GetProperty(optedOut).GetString());
        Assert.Single(compliance.EnumerateObject());
        await setup.Organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");
        var received = Assert.Single(await MailDev.WaitForAsync(other));
        Assert.DoesNotContain(optedOut, received.EnvelopeRecipients);
        var email = await MailDev.SourceAsync(received);
        Assert.DoesNotContain(email.To.Mailboxes, m => m.Address == optedOut);
        Assert.Single(await MailDev.ForRecipientAsync(copy));
        Assert.Empty(await MailDev.ForRecipientAsync(optedOut));
    }

    [Fact]
    public async Task When_nobody_is_left_the_message_is_blocked_and_not_queued()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var optedOut = MailDev.UniqueAddress();
        var contact = await setup.Organization.Client.CreateAsync("/v1/contacts", new { Email = optedOut });
        using (var response = await setup.Organization.Client.PostJsonAsync($"/v1/contacts/{contact.Id()}/opt_out", new { AllChannels = true }))
        {
            await ApiAssert.StatusAsync(response, HttpStatusCode.OK);
        }

        var sent = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "Hello", Targets = new[] { $"to:{optedOut}" } });

        Assert.False(sent.GetProperty("queued").GetBoolean());
        Assert.Equal("opted_out", sent.GetProperty("compliance_results").GetProperty(optedOut).GetString());
        var message = await setup.Organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        Assert.Equal("blocked", message.GetProperty("delivery_status").GetString());
        await Task.Delay(1000);
        Assert.Empty(await MailDev.ForRecipientAsync(optedOut));
    }

    public static TheoryData<string, string[]> InvalidSends => new()
    {
        { """{"inbox":INBOX,"text":"Hi","targets":["to:a@customer.example.com"]}""", ["creator_id"] },
        { """{"creator_id":USER,"text":"Hi","targets":["to:a@customer.example.com"]}""", ["inbox"] },
        { """{"creator_id":USER,"inbox":INBOX,"targets":["to:a@customer.example.com"]}""", ["text"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi"}""", ["targets"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","targets":["to:a@customer.example.com"],"convo_id":1}""", ["targets"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","targets":["to:a@customer.example.com","bcc:b@customer.example.com"]}""", ["targets[1]"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","targets":["to:a@customer.example.com, invalid@something"]}""", ["targets[0]"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","targets":["a@customer.example.com"]}""", ["targets[0]"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","targets":["cc:a@customer.example.com"]}""", ["targets"] },
        { """{"creator_id":999999999,"inbox":INBOX,"text":"Hi","targets":["to:a@customer.example.com"]}""", ["creator_id"] },
        { """{"creator_id":USER,"inbox":999999999,"text":"Hi","targets":["to:a@customer.example.com"]}""", ["inbox"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","convo_id":999999999}""", ["convo_id"] },
        { """{"creator_id":USER,"inbox":INBOX,"text":"Hi","conv_title":"A\nB","targets":["to:a@customer.example.com"]}""", ["conv_title"] },
        { """{"creator_id":"five","inbox":INBOX,"text":"Hi","targets":["to:a@customer.example.com"]}""", ["creator_id"] },
    };

    [Theory]
    [MemberData(nameof(InvalidSends))]
    public async Task Invalid_send_answers_422_naming_the_field(string json, string[] fields)
    {
        var setup = await InboxSetup.CreateAsync(api);
        var body = json.Replace("USER", setup.UserId.ToString(), StringComparison.Ordinal).Replace("INBOX", setup.InboxId.ToString(), StringComparison.Ordinal);

        using var response = await setup.Organization.Client.SendRawJsonAsync(HttpMethod.Post, "/v1/email/send", body);

        await ApiAssert.ValidationProblemAsync(response, fields);
        Assert.Equal(0, (await setup.Organization.Client.GetOkAsync("/v1/conversations")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task User_inbox_and_conversation_of_another_organization_are_refused()
    {
        var owner = await InboxSetup.CreateAsync(api);
        var first = await owner.SendAsync(new { CreatorId = owner.UserId, Inbox = owner.InboxId, Text = "Hi", Targets = new[] { $"to:{MailDev.UniqueAddress()}" } });
        var other = await InboxSetup.CreateAsync(api);

        using (var response = await other.Organization.Client.PostJsonAsync("/v1/email/send", new { CreatorId = owner.UserId, Inbox = other.InboxId, Text = "Hi", Targets = new[] { "to:x@customer.example.com" } }))
        {
            await ApiAssert.ValidationProblemAsync(response, "creator_id");
        }

        using (var response = await other.Organization.Client.PostJsonAsync("/v1/email/send", new { CreatorId = other.UserId, Inbox = owner.InboxId, Text = "Hi", Targets = new[] { "to:x@customer.example.com" } }))
        {
            await ApiAssert.ValidationProblemAsync(response, "inbox");
        }

        using (var response = await other.Organization.Client.PostJsonAsync("/v1/email/send", new { CreatorId = other.UserId, Inbox = other.InboxId, Text = "Hi", ConvoId = first.GetProperty("convo_id").GetInt64() }))
        {
            await ApiAssert.ValidationProblemAsync(response, "convo_id");
        }
    }
}
