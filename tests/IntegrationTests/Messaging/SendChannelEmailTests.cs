using System.Net;
using MimeKit;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

[Collection(ApiCollection.Name)]
public sealed class SendChannelEmailTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Html_email_with_cc_bcc_reply_to_and_sender_name_arrives_once_with_the_right_headers()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var (to, cc, bcc) = (MailDev.UniqueAddress("to"), MailDev.UniqueAddress("cc"), MailDev.UniqueAddress("bcc"));

        var sent = await organization.SendAsync(new
        {
            From = channelEmail.ToUpperInvariant(),
            To = $"Ann Smith <{to}>",
            Subject = "Your order",
            Body = "<p>It ships <b>today</b>.</p>",
            Cc = new[] { cc },
            Bcc = new[] { bcc },
            ReplyTo = "help@acme.example.com",
            SenderName = "Acme Support",
        });
        Assert.Equal("queued", sent.GetProperty("delivery_status").GetString());
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var received = Assert.Single(await MailDev.WaitForAsync(to));
        Assert.Contains(bcc, received.EnvelopeRecipients);
        Assert.Contains(cc, received.EnvelopeRecipients);
        var email = await MailDev.SourceAsync(received);
        var from = Assert.Single(email.From.Mailboxes);
        Assert.Equal("Acme Support", from.Name);
        Assert.Equal(channelEmail, from.Address);
        Assert.Equal("help@acme.example.com", Assert.Single(email.ReplyTo.Mailboxes).Address);
        Assert.Equal(cc, Assert.Single(email.Cc.Mailboxes).Address);
        Assert.Equal(to, Assert.Single(email.To.Mailboxes).Address);
        Assert.DoesNotContain(email.Headers, h => h.Field.Equals("Bcc", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Your order", email.Subject);
        var alternative = Assert.IsType<MultipartAlternative>(email.Body);
        Assert.Contains(alternative, part => part.ContentType.IsMimeType("text", "plain"));
        Assert.Contains(alternative, part => part.ContentType.IsMimeType("text", "html"));
        Assert.Contains("It ships today.", email.TextBody, StringComparison.Ordinal);

        // Exactly once: nothing else arrives later.
        await Task.Delay(500);
        Assert.Single(await MailDev.ForRecipientAsync(to));
        Assert.Single(await MailDev.ForRecipientAsync(bcc));
    }

    [Fact]
    public async Task Second_send_to_the_same_contact_continues_the_conversation_and_replies_to_the_first_email()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();

        var first = await organization.SendAsync(new { From = channelId.ToString(), To = to, Subject = "Welcome", Body = "Hello" });
        var second = await organization.SendAsync(new { From = channelId.ToString(), To = to, Body = "Following up" });

        Assert.Equal(first.GetProperty("conversation_id").GetInt64(), second.GetProperty("conversation_id").GetInt64());
        Assert.Equal(first.GetProperty("contact_id").GetInt64(), second.GetProperty("contact_id").GetInt64());
        var firstMessage = await organization.WaitForStatusAsync(first.Id(), Delivery, "sent");
        await organization.WaitForStatusAsync(second.Id(), Delivery, "sent");

        var emails = await MailDev.WaitForAsync(to, count: 2);
        var sources = await Task.WhenAll(emails.Select(MailDev.SourceAsync));
        var original = Assert.Single(sources, s => s.InReplyTo is null);
        var reply = Assert.Single(sources, s => s.InReplyTo is not null);
        Assert.Equal(firstMessage.GetProperty("message_id").GetString(), original.MessageId);
        Assert.Equal(original.MessageId, reply.InReplyTo);
        Assert.Contains(original.MessageId, reply.References);
        Assert.Equal("Re: Welcome", reply.Subject);
        Assert.EndsWith("@acme.example.com", original.MessageId, StringComparison.Ordinal);
        Assert.True(reply.Body is TextPart { IsPlain: true }, "A plain body is sent as text/plain.");
    }

    [Fact]
    public async Task Sender_email_sets_From_and_puts_the_channel_address_in_Sender()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();

        var sent = await organization.SendAsync(new
        {
            From = channelEmail,
            To = to,
            Subject = "From the CEO",
            Body = "Hi",
            SenderEmail = "ceo@acme.example.com",
            SenderName = "The CEO",
        });
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var email = await MailDev.SourceAsync(Assert.Single(await MailDev.WaitForAsync(to)));
        Assert.Equal("ceo@acme.example.com", Assert.Single(email.From.Mailboxes).Address);
        Assert.Equal(channelEmail, email.Sender?.Address);
    }

    [Fact]
    public async Task Empty_sender_email_means_the_channel_address()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync(senderName: "Acme");
        var to = MailDev.UniqueAddress();

        var sent = await organization.SendAsync(new { From = channelEmail, To = to, Body = "Hi", SenderEmail = "" });
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var email = await MailDev.SourceAsync(Assert.Single(await MailDev.WaitForAsync(to)));
        var from = Assert.Single(email.From.Mailboxes);
        Assert.Equal(channelEmail, from.Address);
        Assert.Equal("Acme", from.Name);
        Assert.Null(email.Sender);
    }

    public static TheoryData<string, string> InvalidSends => new()
    {
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","sender_email":"invalid@something"}""", "sender_email" },
        { """{"from":"CHANNEL","body":"Hi"}""", "to" },
        { """{"from":"nobody@acme.example.com","to":"x@customer.example.com","body":"Hi"}""", "from" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","subject":"Hello\r\nBcc: victim@example.com"}""", "subject" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","subject":"Nothing"}""", "body" },
        { """{"from":"CHANNEL","to":"invalid@something","body":"Hi"}""", "to" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","cc":["ok@customer.example.com","bad"]}""", "cc[1]" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","attachments":["ftp://files.example.com/a.pdf"]}""", "attachments[0]" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","conversation_status":"spam"}""", "conversation_status" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","schedule_at":"2030-01-01T09:00:00"}""", "schedule_at" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","reply_to":"a\r\n@example.com"}""", "reply_to" },
        { """{"from":"CHANNEL","to":"x@customer.example.com","body":"Hi","opt_in_to":[{"id":999999999}]}""", "opt_in_to[0]" },
    };

    [Theory]
    [MemberData(nameof(InvalidSends))]
    public async Task Invalid_send_answers_422_naming_the_field_and_creates_nothing(string json, string field)
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();

        using var response = await organization.Client.SendRawJsonAsync(HttpMethod.Post, "/v1/messaging/email", json.Replace("CHANNEL", channelId.ToString(), StringComparison.Ordinal));

        await ApiAssert.ValidationProblemAsync(response, field);
        var conversations = await organization.Client.GetOkAsync("/v1/conversations");
        Assert.Equal(0, conversations.GetProperty("total").GetInt32());
        var contacts = await organization.Client.GetOkAsync("/v1/contacts");
        Assert.Equal(0, contacts.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Channel_of_another_organization_is_an_unknown_from()
    {
        var owner = await api.CreateOrganizationAsync();
        var (channelId, channelEmail) = await owner.CreateChannelAsync();
        var other = await api.CreateOrganizationAsync();

        foreach (var from in new[] { channelId.ToString(), channelEmail })
        {
            using var response = await other.Client.PostJsonAsync("/v1/messaging/email", new { From = from, To = MailDev.UniqueAddress(), Body = "Hi" });
            await ApiAssert.ValidationProblemAsync(response, "from");
        }
    }

    [Fact]
    public async Task Opted_out_contact_receives_nothing_and_the_message_is_blocked()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channelEmail) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();
        var contact = await organization.Client.CreateAsync("/v1/contacts", new { Email = to });
        using (var optOut = await organization.Client.PostJsonAsync($"/v1/contacts/{contact.Id()}/opt_out", new { ChannelIds = new[] { channelId } }))
        {
            await ApiAssert.StatusAsync(optOut, HttpStatusCode.OK);
        }

        var sent = await organization.SendAsync(new { From = channelEmail, To = to, Body = "Hi" });

        Assert.Equal("blocked", sent.GetProperty("delivery_status").GetString());
        Assert.Equal(contact.Id(), sent.GetProperty("contact_id").GetInt64());
        await Task.Delay(1500);
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        Assert.Equal("blocked", message.GetProperty("delivery_status").GetString());
        var compliance = Assert.Single(message.GetProperty("compliance_results").EnumerateArray());
        Assert.Equal(to, compliance.GetProperty("address").GetString());
        Assert.Equal("opted_out", compliance.GetProperty("reason").GetString());
        Assert.Empty(message.GetProperty("attempts").EnumerateArray());
        Assert.Empty(await MailDev.ForRecipientAsync(to));
    }

    [Fact]
    public async Task Opted_out_cc_is_left_out_while_the_others_receive_the_email()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var (to, optedOut) = (MailDev.UniqueAddress("to"), MailDev.UniqueAddress("cc"));
        var contact = await organization.Client.CreateAsync("/v1/contacts", new { Email = optedOut });
        using (var optOut = await organization.Client.PostJsonAsync($"/v1/contacts/{contact.Id()}/opt_out", new { AllChannels = true }))
        {
            await ApiAssert.StatusAsync(optOut, HttpStatusCode.OK);
        }

        var sent = await organization.SendAsync(new { From = channelEmail, To = to, Cc = new[] { optedOut }, Body = "Hi" });
        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var received = Assert.Single(await MailDev.WaitForAsync(to));
        Assert.DoesNotContain(optedOut, received.EnvelopeRecipients);
        Assert.Empty(await MailDev.ForRecipientAsync(optedOut));
        Assert.Equal(optedOut, Assert.Single(message.GetProperty("compliance_results").EnumerateArray()).GetProperty("address").GetString());
    }

    [Fact]
    public async Task New_contact_is_created_with_the_requested_opt_ins_only_when_the_send_creates_it()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var (secondId, _) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();

        var first = await organization.SendAsync(new { From = channelEmail, To = $"Dana <{to}>", Body = "Hi", OptInTo = new[] { new { Id = secondId } } });
        var contact = await organization.Client.GetOkAsync($"/v1/contacts/{first.GetProperty("contact_id").GetInt64()}");
        Assert.Equal(to, contact.GetProperty("email").GetString());
        Assert.Equal("Dana", contact.GetProperty("name").GetString());
        var consent = Assert.Single(contact.GetProperty("consents").EnumerateArray());
        Assert.Equal(secondId, consent.GetProperty("channel_id").GetInt64());
        Assert.Equal("opted_in", consent.GetProperty("state").GetString());

        // The contact exists now: opt-ins of a later send are not applied.
        await organization.SendAsync(new { From = channelEmail, To = to, Body = "Again", OptInToAllChannels = true });
        contact = await organization.Client.GetOkAsync($"/v1/contacts/{contact.Id()}");
        Assert.Single(contact.GetProperty("consents").EnumerateArray());
    }

    [Fact]
    public async Task Attachments_only_email_is_accepted_and_the_attachment_arrives_byte_identical()
    {
        await using var files = await AttachmentServer.StartAsync();
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var url = files.Serve("report.pdf", content, "application/pdf");

        var sent = await organization.SendAsync(new { From = channelEmail, To = to, Subject = "Your report", Attachments = new[] { url } });
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var email = await MailDev.SourceAsync(Assert.Single(await MailDev.WaitForAsync(to)));
        var attachment = Assert.Single(email.Attachments.OfType<MimePart>());
        Assert.Equal("report.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        using var decoded = new MemoryStream();
        await attachment.Content!.DecodeToAsync(decoded);
        Assert.Equal(content, decoded.ToArray());
    }

    [Fact]
    public async Task Smtp_server_down_is_retried_and_the_email_is_sent_exactly_once_when_it_is_back()
    {
        await using var proxy = new SmtpProxy(MailDev.SmtpHost, MailDev.SmtpPort);
        var organization = await api.CreateOrganizationAsync();
        var (_, channelEmail) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = proxy.Port, Security = "none" });
        var to = MailDev.UniqueAddress();

        var sent = await organization.SendAsync(new { From = channelEmail, To = to, Body = "Are you there?" });
        var failing = await organization.WaitForAttemptsAsync(sent.Id(), Delivery);
        var firstAttempt = failing.GetProperty("attempts")[0];
        Assert.Equal("transient", firstAttempt.GetProperty("outcome").GetString());
        Assert.Equal("connect", firstAttempt.GetProperty("phase").GetString());
        Assert.Empty(await MailDev.ForRecipientAsync(to));

        proxy.Start();
        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        Assert.True(message.GetProperty("attempts").GetArrayLength() >= 2);
        Assert.Equal("sent", message.GetProperty("attempts").EnumerateArray().Last().GetProperty("outcome").GetString());
        Assert.Single(await MailDev.WaitForAsync(to));
        await Task.Delay(1500);
        Assert.Single(await MailDev.ForRecipientAsync(to));
    }
}
