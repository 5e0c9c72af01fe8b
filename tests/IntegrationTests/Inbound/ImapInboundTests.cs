using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Inbound;

/// <summary>Channels that receive from a real Dovecot mailbox: mail APPENDed there arrives in conversations.</summary>
[Collection(ApiCollection.Name)]
public sealed class ImapInboundTests(ApiFactory api)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_channel_shows_its_mailbox_without_the_password()
    {
        var organization = await api.CreateOrganizationAsync();
        var folder = await Dovecot.CreateFolderAsync();

        var channel = await organization.Client.CreateAsync("/v1/channels", new
        {
            Name = "Inbound", Email = $"in-{Guid.NewGuid():N}@acme.example.com", Imap = Dovecot.Settings(folder),
        });

        var imap = channel.GetProperty("imap");
        Assert.Equal(Dovecot.Port, imap.GetProperty("port").GetInt32());
        Assert.Equal(folder, imap.GetProperty("folder").GetString());
        Assert.True(imap.GetProperty("password_set").GetBoolean());
        Assert.False(imap.TryGetProperty("password", out _));
        Assert.DoesNotContain("\"password\":", channel.GetRawText(), StringComparison.Ordinal);
        using var bad = await organization.Client.PostJsonAsync("/v1/channels", new
        {
            Name = "Bad", Email = $"bad-{Guid.NewGuid():N}@acme.example.com", Imap = new { Host = "imap.example.com", Security = "tls", Username = "u" },
        });
        await ApiAssert.ValidationProblemAsync(bad, "imap.security");
    }

    [Fact]
    public async Task A_stranger_starts_a_conversation_and_a_reply_threads_into_it_within_5_seconds()
    {
        var organization = await api.CreateOrganizationAsync();
        var folder = await Dovecot.CreateFolderAsync();
        var (channelId, channel) = await CreateWatchedChannelAsync(organization, folder);
        var stranger = MailDev.UniqueAddress("stranger");

        await Dovecot.AppendAsync(folder, InboundSupport.Email($"Sam <{stranger}>", channel, "Hello there", "Who are you?"));
        var first = await WaitForConversationMessagesAsync(organization, stranger, 1, Arrival);
        var contact = await organization.Client.GetOkAsync($"/v1/contacts?email={stranger}");
        Assert.Equal(1, contact.GetProperty("total").GetInt32());
        Assert.Empty(contact.GetProperty("data")[0].GetProperty("consents").EnumerateArray());
        Assert.Equal("Hello there", first.Conversation.GetProperty("title").GetString());

        // The service answers; the contact's reply comes back through the mailbox.
        var answer = await organization.SendAsync(new { From = channel, To = stranger, Body = "We are Acme." });
        var answerId = (await organization.Client.GetOkAsync($"/v1/messages/{answer.Id()}")).GetProperty("message_id").GetString();
        Assert.Equal(first.Conversation.Id(), answer.Long("conversation_id"));

        var appended = Stopwatch.StartNew();
        await Dovecot.AppendAsync(folder, InboundSupport.Email(stranger, channel, "Re: Hello there", "Nice to meet you", headers: [$"In-Reply-To: <{answerId}>"]));
        var thread = await WaitForConversationMessagesAsync(organization, stranger, 3, TimeSpan.FromSeconds(5));
        appended.Stop();

        var reply = thread.Messages[2];
        Assert.Equal("inbound", reply.GetProperty("direction").GetString());
        Assert.Equal(answerId, reply.GetProperty("in_reply_to").GetString());
        Assert.Equal(channelId, reply.GetProperty("channel_id").GetInt64());
        Assert.True(appended.Elapsed < TimeSpan.FromSeconds(5), $"The reply took {appended.Elapsed}.");
    }

    [Fact]
    public async Task The_same_message_by_http_and_by_imap_is_stored_once_and_bad_or_too_large_ones_do_not_block_the_next()
    {
        var organization = await api.CreateOrganizationAsync();
        var folder = await Dovecot.CreateFolderAsync();
        var (channelId, channel) = await CreateWatchedChannelAsync(organization, folder);
        var carol = MailDev.UniqueAddress("carol");
        var twice = InboundSupport.Email(carol, channel, "Twice", "by both ways");
        var byHttp = await organization.ReceiveAsync(channelId, twice);

        var huge = new byte[26 * 1024 * 1024];
        var head = InboundSupport.Email(carol, channel, "Huge", "x");
        head.CopyTo(huge, 0);
        huge.AsSpan(head.Length).Fill((byte)'z');
        await Dovecot.AppendAsync(
            folder,
            twice,
            Encoding.ASCII.GetBytes("Subject: no sender at all\r\n\r\nbody\r\n"),
            Encoding.ASCII.GetBytes("not an email, no header at all\r\n"),
            huge,
            InboundSupport.Email(carol, channel, "After the bad ones", "still taken"));

        var last = await WaitForConversationMessagesAsync(organization, carol, 1, Arrival, conversations: 2);
        Assert.Equal("After the bad ones", last.Conversation.GetProperty("title").GetString());
        var conversations = await organization.Client.GetOkAsync($"/v1/conversations?contact_id={byHttp.Long("contact_id")}&order=created_at");
        Assert.Equal(["Twice", "After the bad ones"], conversations.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("title").GetString()));
        var first = await organization.Client.GetOkAsync($"/v1/conversations/{byHttp.Long("conversation_id")}/messages");
        Assert.Equal([byHttp.Id()], first.Ids());
        Assert.Equal(1, (await organization.Client.GetOkAsync($"/v1/contacts")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_channel_whose_imap_server_is_down_still_receives_over_http()
    {
        var organization = await api.CreateOrganizationAsync();
        var channel = await organization.Client.CreateAsync("/v1/channels", new
        {
            Name = "Down", Email = $"down-{Guid.NewGuid():N}@acme.example.com",
            Imap = new { Host = "127.0.0.1", Port = 9, Security = "none", Username = "nobody", Password = "x" },
        });

        var received = await organization.ReceiveAsync(channel.Id(), InboundSupport.Email(MailDev.UniqueAddress(), channel.GetProperty("email").GetString()!, "Still here", "ok"));

        Assert.False(received.GetProperty("duplicate").GetBoolean());
    }

    [Fact]
    public async Task A_new_uidvalidity_rescans_the_folder_and_messages_already_taken_are_not_stored_again()
    {
        var organization = await api.CreateOrganizationAsync();
        var folder = await Dovecot.CreateFolderAsync();
        var (_, channel) = await CreateWatchedChannelAsync(organization, folder);
        var dana = MailDev.UniqueAddress("dana");
        var early = InboundSupport.Email(dana, channel, "Early", "first");
        await Dovecot.AppendAsync(folder, early);
        await WaitForConversationMessagesAsync(organization, dana, 1, Arrival);

        await Task.Delay(TimeSpan.FromSeconds(1.1)); // Dovecot derives UIDVALIDITY from the clock.
        await Dovecot.RecreateFolderAsync(folder);
        await Dovecot.AppendAsync(folder, early, InboundSupport.Email(dana, channel, "Late", "second"));

        await WaitForConversationMessagesAsync(organization, dana, 1, Arrival, conversations: 2);
        var messages = await organization.Client.GetOkAsync("/v1/messages?limit=50");
        Assert.Equal(2, messages.GetProperty("data").EnumerateArray().Count(m => m.GetProperty("direction").GetString() == "inbound"));
    }

    /// <summary>A channel watching <paramref name="folder"/>.</summary>
    internal static async Task<(long Id, string Email)> CreateWatchedChannelAsync(TestOrganization organization, string folder)
    {
        var email = $"inbound-{Guid.NewGuid():N}@acme.example.com";
        var channel = await organization.Client.CreateAsync("/v1/channels", new { Name = "Inbound", Email = email, Imap = Dovecot.Settings(folder) });
        return (channel.Id(), email);
    }

    /// <summary>Waits until the contact's latest conversation (the <paramref name="conversations"/>th) has <paramref name="count"/> messages.</summary>
    internal static async Task<(JsonElement Conversation, JsonElement[] Messages)> WaitForConversationMessagesAsync(
        TestOrganization organization, string contactEmail, int count, TimeSpan timeout, int conversations = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // A list's total and its page are two queries: a row committed between them can show in the
            // total and not yet in the page, so the page is what is checked.
            var contacts = await organization.Client.GetOkAsync($"/v1/contacts?email={contactEmail}");
            if (contacts.GetProperty("data").GetArrayLength() == 1)
            {
                var list = await organization.Client.GetOkAsync($"/v1/conversations?contact_id={contacts.Ids()[0]}&order=-last_message_at");
                if (list.GetProperty("total").GetInt32() >= conversations && list.GetProperty("data").GetArrayLength() > 0)
                {
                    var latest = list.GetProperty("data")[0];
                    var messages = await organization.Client.GetOkAsync($"/v1/conversations/{latest.Id()}/messages");
                    if (messages.GetProperty("total").GetInt32() >= count)
                    {
                        return (latest, [.. messages.GetProperty("data").EnumerateArray()]);
                    }
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"No conversation of {contactEmail} with {count} messages within {timeout}.");
            await Task.Delay(100);
        }
    }
}
