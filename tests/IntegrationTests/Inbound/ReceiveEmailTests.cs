using System.Net;
using System.Text;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Inbound;

/// <summary><c>POST /v1/channels/{id}/inbound</c>: raw emails threaded into conversations, on the real database.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReceiveEmailTests(ApiFactory api)
{
    [Fact]
    public async Task A_reply_to_the_thread_of_an_erased_contact_starts_a_conversation_of_its_own()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var carol = MailDev.UniqueAddress("carol");
        var sent = await organization.SendAsync(new { From = channel, To = carol, Subject = "Your order", Body = "It ships today." });
        var outboundId = (await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}")).GetProperty("message_id").GetString()!;
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(30), "sent");
        using (var erase = await organization.Client.DeleteAsync($"/v1/contacts/{sent.Long("contact_id")}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        }

        var received = await organization.ReceiveAsync(channelId, InboundSupport.Email(
            $"Carol <{carol}>", channel, "Re: Your order", "Thanks!", headers: [$"In-Reply-To: <{outboundId}>", $"References: <{outboundId}>"]));

        Assert.NotEqual(sent.Long("conversation_id"), received.Long("conversation_id"));
        Assert.NotEqual(sent.Long("contact_id"), received.Long("contact_id"));
        var erasedThread = await organization.Client.GetOkAsync($"/v1/conversations/{sent.Long("conversation_id")}/messages");
        Assert.Equal([sent.Id()], erasedThread.Ids());
    }

    [Fact]
    public async Task A_reply_threads_into_the_conversation_of_the_message_it_answers()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var carol = MailDev.UniqueAddress("carol");
        var sent = await organization.SendAsync(new { From = channel, To = carol, Subject = "Your order", Body = "It ships today." });
        var outbound = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        var outboundId = outbound.GetProperty("message_id").GetString()!;

        var received = await organization.ReceiveAsync(channelId, InboundSupport.Email(
            $"Carol <{carol}>", channel, "Re: Your order", "Thanks!", headers: [$"In-Reply-To: <{outboundId}>", $"References: <{outboundId}>"]));

        Assert.Equal(sent.Long("conversation_id"), received.Long("conversation_id"));
        Assert.Equal(sent.Long("contact_id"), received.Long("contact_id"));
        Assert.False(received.GetProperty("duplicate").GetBoolean());

        var thread = await organization.Client.GetOkAsync($"/v1/conversations/{sent.Long("conversation_id")}/messages");
        Assert.Equal([sent.Id(), received.Id()], thread.Ids());
        var reply = thread.GetProperty("data")[1];
        Assert.Equal("inbound", reply.GetProperty("direction").GetString());
        Assert.Equal("received", reply.GetProperty("delivery_status").GetString());
        Assert.Equal(carol, reply.GetProperty("from").GetString());
        Assert.Equal("Carol", reply.GetProperty("from_name").GetString());
        Assert.Equal([channel], reply.GetProperty("to").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("Re: Your order", reply.GetProperty("subject").GetString());
        Assert.Equal("Thanks!", reply.GetProperty("text_body").GetString()!.Trim());
        Assert.Equal(outboundId, reply.GetProperty("in_reply_to").GetString());
        Assert.False(reply.GetProperty("auto_reply").GetBoolean());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), reply.GetProperty("date").GetDateTimeOffset());
    }

    [Fact]
    public async Task References_are_matched_newest_first_when_in_reply_to_is_unknown()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var older = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Subject = "Old", Body = "a" });
        var newer = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Subject = "New", Body = "b" });
        var olderId = (await organization.Client.GetOkAsync($"/v1/messages/{older.Id()}")).GetProperty("message_id").GetString();
        var newerId = (await organization.Client.GetOkAsync($"/v1/messages/{newer.Id()}")).GetProperty("message_id").GetString();

        var received = await organization.ReceiveAsync(channelId, InboundSupport.Email(
            MailDev.UniqueAddress("third"), channel, "Re: something", "x",
            headers: [$"In-Reply-To: <{InboundSupport.NewMessageId()}>", $"References: <{olderId}> <{newerId}> <{InboundSupport.NewMessageId()}>"]));

        Assert.Equal(newer.Long("conversation_id"), received.Long("conversation_id"));
    }

    [Fact]
    public async Task A_stranger_starts_a_conversation_and_becomes_a_contact_without_consent()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var stranger = MailDev.UniqueAddress("stranger");

        var received = await organization.ReceiveAsync(channelId, InboundSupport.Email($"\"Doe, Jane\" <{stranger}>", channel, "Fwd: A question", "Hello?"));

        var contact = await organization.Client.GetOkAsync($"/v1/contacts/{received.Long("contact_id")}");
        Assert.Equal(stranger, contact.GetProperty("email").GetString());
        Assert.Equal("Doe, Jane", contact.GetProperty("name").GetString());
        Assert.Empty(contact.GetProperty("consents").EnumerateArray());
        var conversation = await organization.Client.GetOkAsync($"/v1/conversations/{received.Long("conversation_id")}");
        Assert.Equal("A question", conversation.GetProperty("title").GetString());
        Assert.Equal("open", conversation.GetProperty("status").GetString());
        Assert.Equal(channelId, conversation.Long("channel_id"));
        Assert.Equal(received.Long("contact_id"), conversation.Long("contact_id"));
    }

    [Fact]
    public async Task Without_thread_headers_the_same_contacts_conversation_with_that_subject_continues()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var carol = MailDev.UniqueAddress("carol");
        var first = await organization.SendAsync(new { From = channel, To = carol, Subject = "Invoice 7", Body = "a" });
        _ = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Subject = "Invoice 7", Body = "other contact" });

        var same = await organization.ReceiveAsync(channelId, InboundSupport.Email(carol, channel, "AW: Re: invoice 7", "ok"));
        var other = await organization.ReceiveAsync(channelId, InboundSupport.Email(carol, channel, "Something else", "new"));

        Assert.Equal(first.Long("conversation_id"), same.Long("conversation_id"));
        Assert.NotEqual(first.Long("conversation_id"), other.Long("conversation_id"));
        Assert.Equal(first.Long("contact_id"), other.Long("contact_id"));
    }

    [Fact]
    public async Task The_same_message_twice_is_stored_once_and_answered_as_a_duplicate()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var raw = InboundSupport.Email(MailDev.UniqueAddress(), channel, "Hello", "once");

        var first = await organization.ReceiveAsync(channelId, raw);
        var second = await organization.ReceiveAsync(channelId, raw);

        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(second.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.Id(), second.Id());
        Assert.Equal(first.Long("conversation_id"), second.Long("conversation_id"));
        Assert.Equal(first.Long("contact_id"), second.Long("contact_id"));
        var thread = await organization.Client.GetOkAsync($"/v1/conversations/{first.Long("conversation_id")}/messages");
        Assert.Equal(1, thread.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Concurrent_copies_of_one_message_from_a_stranger_store_one_message_one_contact_one_conversation()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var stranger = MailDev.UniqueAddress("racer");
        var raw = InboundSupport.Email(stranger, channel, "Race", "at once");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => organization.ReceiveAsync(channelId, raw)));

        Assert.Single(answers.Select(a => a.Id()).Distinct());
        Assert.Single(answers, a => !a.GetProperty("duplicate").GetBoolean());
        var contacts = await organization.Client.GetOkAsync($"/v1/contacts?email={stranger}");
        Assert.Equal(1, contacts.GetProperty("total").GetInt32());
        var conversations = await organization.Client.GetOkAsync($"/v1/conversations?contact_id={contacts.Ids()[0]}");
        Assert.Equal(1, conversations.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_reply_reopens_a_closed_conversation_and_an_auto_reply_does_not()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var carol = MailDev.UniqueAddress("carol");
        var sent = await organization.SendAsync(new { From = channel, To = carol, Subject = "Closing", Body = "Done.", ConversationStatus = "closed" });
        var outboundId = (await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}")).GetProperty("message_id").GetString();
        var conversationPath = $"/v1/conversations/{sent.Long("conversation_id")}";
        var before = await organization.Client.GetOkAsync(conversationPath);

        foreach (var header in new[] { "Auto-Submitted: auto-replied", "X-Autoreply: yes", "Precedence: bulk" })
        {
            var auto = await organization.ReceiveAsync(channelId, InboundSupport.Email(carol, channel, "Out of office", "Away.", headers: [$"In-Reply-To: <{outboundId}>", header]));
            Assert.Equal(sent.Long("conversation_id"), auto.Long("conversation_id"));
            Assert.True((await organization.Client.GetOkAsync($"/v1/messages/{auto.Id()}")).GetProperty("auto_reply").GetBoolean(), header);
            Assert.Equal("closed", (await organization.Client.GetOkAsync(conversationPath)).GetProperty("status").GetString());
        }

        await organization.ReceiveAsync(channelId, InboundSupport.Email(carol, channel, "Re: Closing", "One more question", headers: [$"In-Reply-To: <{outboundId}>", "Auto-Submitted: no"]));

        var after = await organization.Client.GetOkAsync(conversationPath);
        Assert.Equal("open", after.GetProperty("status").GetString());
        Assert.True(after.GetProperty("last_message_at").GetDateTimeOffset() > before.GetProperty("last_message_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Conversations_can_be_ordered_by_last_message_at()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var first = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Subject = "First", Body = "a" });
        var second = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Subject = "Second", Body = "b" });
        var firstId = (await organization.Client.GetOkAsync($"/v1/messages/{first.Id()}")).GetProperty("message_id").GetString();
        await organization.ReceiveAsync(channelId, InboundSupport.Email(MailDev.UniqueAddress(), channel, "Re: First", "bump", headers: [$"In-Reply-To: <{firstId}>"]));

        var latest = await organization.Client.GetOkAsync("/v1/conversations?order=-last_message_at");
        var oldest = await organization.Client.GetOkAsync("/v1/conversations?order=last_message_at");
        var created = await organization.Client.GetOkAsync("/v1/conversations?order=created_at");

        Assert.Equal([first.Long("conversation_id"), second.Long("conversation_id")], latest.Ids());
        Assert.Equal([second.Long("conversation_id"), first.Long("conversation_id")], oldest.Ids());
        Assert.Equal([first.Long("conversation_id"), second.Long("conversation_id")], created.Ids());
        using var bad = await organization.Client.GetAsync("/v1/conversations?order=title");
        await ApiAssert.ValidationProblemAsync(bad, "order");
    }

    [Fact]
    public async Task Html_only_bodies_get_a_text_body_attachments_download_and_the_raw_source_is_kept_byte_for_byte()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var pdf = new byte[] { 0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x10, 0x80 };
        var raw = Encoding.UTF8.GetBytes(
            $"From: {MailDev.UniqueAddress()}\r\nTo: {channel}\r\nSubject: Files\r\nMessage-ID: <{InboundSupport.NewMessageId()}>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See the <b>invoice</b>.</p>\r\n"
            + "--b1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"=?utf-8?q?Rechnung_M=C3=A4rz.pdf?=\"\r\n"
            + $"Content-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(pdf)}\r\n--b1--\r\n");

        var received = await organization.ReceiveAsync(channelId, raw);

        var message = await organization.Client.GetOkAsync($"/v1/messages/{received.Id()}");
        Assert.Contains("<b>invoice</b>", message.GetProperty("html_body").GetString());
        Assert.Equal("See the invoice.", message.GetProperty("text_body").GetString()!.Trim());
        var file = Assert.Single(message.GetProperty("attachment_files").EnumerateArray());
        Assert.Equal("Rechnung März.pdf", file.GetProperty("file_name").GetString());
        Assert.Equal("application/pdf", file.GetProperty("content_type").GetString());
        Assert.Equal(pdf.Length, file.GetProperty("size").GetInt64());
        Assert.Equal($"/v1/messages/{received.Id()}/attachments/0", file.GetProperty("url").GetString());

        using var download = await organization.Client.GetAsync(file.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
        using var missing = await organization.Client.GetAsync($"/v1/messages/{received.Id()}/attachments/1");
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.NotFound);

        using var source = await organization.Client.GetAsync($"/v1/messages/{received.Id()}/raw");
        Assert.Equal(HttpStatusCode.OK, source.StatusCode);
        Assert.Equal("message/rfc822", source.Content.Headers.ContentType?.MediaType);
        Assert.Equal(raw, await source.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Encoded_headers_are_decoded_and_no_line_break_survives_in_them()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var sender = MailDev.UniqueAddress();
        // "Grüße\r\nBcc: victim@example.com" encoded: decoding must not bring the line break back.
        var subject = "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße\r\nBcc: victim@example.com")) + "?=";
        var name = "=?iso-8859-1?Q?J=F6rg_M=FCller?=";

        var received = await organization.ReceiveAsync(channelId, InboundSupport.Email($"{name} <{sender}>", channel, subject, "body"));

        var message = await organization.Client.GetOkAsync($"/v1/messages/{received.Id()}");
        var storedSubject = message.GetProperty("subject").GetString()!;
        Assert.StartsWith("Grüße", storedSubject);
        Assert.DoesNotContain('\r', storedSubject);
        Assert.DoesNotContain('\n', storedSubject);
        Assert.Equal("Jörg Müller", message.GetProperty("from_name").GetString());
        var conversation = await organization.Client.GetOkAsync($"/v1/conversations/{received.Long("conversation_id")}");
        Assert.DoesNotContain('\n', conversation.GetProperty("title").GetString()!);

        // A reply from the service in that thread writes the subject into a header: still one line.
        var reply = await organization.SendAsync(new { From = channel, To = sender, Body = "Answer" });
        var delivered = await MailDev.WaitForAsync(sender);
        var mime = await MailDev.SourceAsync(delivered[0]);
        Assert.DoesNotContain(mime.Headers, h => h.Field.Equals("Bcc", StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("Re: Grüße", mime.Subject);
        Assert.Equal(received.Long("conversation_id"), reply.Long("conversation_id"));
    }

    [Fact]
    public async Task A_body_that_is_not_an_email_is_422_and_stores_nothing()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();

        using var empty = await organization.Client.PostRawAsync(channelId, []);
        await ApiAssert.ValidationProblemAsync(empty, "body");
        using var noHeaders = await organization.Client.PostRawAsync(channelId, Encoding.UTF8.GetBytes("\r\nJust a body line with no headers at all.\r\n"));
        await ApiAssert.ValidationProblemAsync(noHeaders, "body");
        using var noFrom = await organization.Client.PostRawAsync(channelId, Encoding.UTF8.GetBytes("Subject: hi\r\n\r\nbody\r\n"));
        await ApiAssert.ValidationProblemAsync(noFrom, "from");
        using var json = await organization.Client.PostRawAsync(channelId, Encoding.UTF8.GetBytes("{\"from\":\"a@b.example\"}"));
        await ApiAssert.ValidationProblemAsync(json, "from");

        var conversations = await organization.Client.GetOkAsync("/v1/conversations");
        Assert.Equal(0, conversations.GetProperty("total").GetInt32());
        var contacts = await organization.Client.GetOkAsync("/v1/contacts");
        Assert.Equal(0, contacts.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Broken_mime_boundaries_and_8_bit_garbage_are_stored_as_far_as_they_go()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var broken = Encoding.UTF8.GetBytes(
            $"From: {MailDev.UniqueAddress()}\r\nTo: {channel}\r\nSubject: Broken\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/alternative; boundary=\"never-closed\"\r\n\r\n"
            + "--never-closed\r\nContent-Type: text/plain\r\n\r\nThe text part\r\n--wrong-boundary\r\nstray\r\n");
        var garbage = new List<byte>(Encoding.ASCII.GetBytes($"From: {MailDev.UniqueAddress()}\r\nTo: {channel}\r\nSubject: "));
        garbage.AddRange([0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0D, 0x0A]);
        garbage.AddRange(Encoding.ASCII.GetBytes("Content-Type: text/plain; charset=no-such-charset\r\n\r\nBody "));
        garbage.AddRange([0x80, 0x81, 0x00, 0xE9, 0x0D, 0x0A]);

        var first = await organization.ReceiveAsync(channelId, broken);
        var second = await organization.ReceiveAsync(channelId, [.. garbage]);

        var brokenMessage = await organization.Client.GetOkAsync($"/v1/messages/{first.Id()}");
        Assert.Contains("The text part", brokenMessage.GetProperty("text_body").GetString());
        var garbageMessage = await organization.Client.GetOkAsync($"/v1/messages/{second.Id()}");
        Assert.Contains("Body", garbageMessage.GetProperty("text_body").GetString());
        using var source = await organization.Client.GetAsync($"/v1/messages/{second.Id()}/raw");
        Assert.Equal(garbage, await source.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_message_over_the_limit_is_413_and_a_wrong_content_type_415()
    {
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var big = new byte[30 * 1024 * 1024];
        var head = InboundSupport.Email(MailDev.UniqueAddress(), channel, "Huge", "x");
        head.CopyTo(big, 0);
        big.AsSpan(head.Length).Fill((byte)'a');

        using var tooLarge = await organization.Client.PostRawAsync(channelId, big);
        await ApiAssert.ProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);

        // Without Content-Length (chunked), the limit is enforced while reading.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, $"/v1/channels/{channelId}/inbound")
        {
            Content = new StreamContent(new MemoryStream(big)),
        };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await organization.Client.SendAsync(chunked);
        await ApiAssert.ProblemAsync(chunkedResponse, HttpStatusCode.RequestEntityTooLarge);

        using var json = await organization.Client.PostRawAsync(channelId, head, "application/json");
        await ApiAssert.ProblemAsync(json, HttpStatusCode.UnsupportedMediaType);

        // Larger than the JSON endpoints take (2 MiB), well within Inbound:MaxBytes.
        var three = new byte[3 * 1024 * 1024];
        head.CopyTo(three, 0);
        three.AsSpan(head.Length).Fill((byte)'b');
        await organization.ReceiveAsync(channelId, three);
    }

    [Fact]
    public async Task Another_organizations_channel_is_404()
    {
        var owner = await api.CreateOrganizationAsync();
        var (channelId, channel) = await owner.CreateChannelAsync();
        var other = await api.CreateOrganizationAsync();

        using var response = await other.Client.PostRawAsync(channelId, InboundSupport.Email(MailDev.UniqueAddress(), channel, "x", "y"));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        var received = await owner.ReceiveAsync(channelId, InboundSupport.Email(MailDev.UniqueAddress(), channel, "x", "y"));
        using var raw = await other.Client.GetAsync($"/v1/messages/{received.Id()}/raw");
        await ApiAssert.ProblemAsync(raw, HttpStatusCode.NotFound);
    }
}
