using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Modular.IntegrationTests.Deliverability;
using Modular.IntegrationTests.Inbound;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Webhooks;

/// <summary>
/// The events of the second half reach a real receiver too: a reply (<c>message.received</c>), a bounce
/// (<c>message.bounced</c>), a complaint (<c>message.complained</c>) and a one-click unsubscription
/// (<c>contact.unsubscribed</c>), each once and signed.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class TwoWayEventTests(ApiFactory api)
{
    [Fact]
    public async Task A_reply_a_bounce_a_complaint_and_an_unsubscription_each_arrive_once_signed_with_their_ids()
    {
        await using var receiver = new WebhookReceiver();
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var types = new[] { "message.received", "message.bounced", "message.complained", "contact.unsubscribed" };
        var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = types });
        var secret = webhook.GetProperty("secret").GetString()!;

        // A reply to a sent message.
        var carol = MailDev.UniqueAddress("carol");
        var (sent, _) = await organization.SendAndReceiveAsync(carol, new { From = channel, To = carol, Subject = "Your order", Body = "It ships today." });
        var sentMessage = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        var reply = Encoding.ASCII.GetBytes(
            $"From: {carol}\r\nTo: {channel}\r\nSubject: Re: Your order\r\nMessage-ID: <{Guid.NewGuid():N}@customer.example.com>\r\n" +
            $"In-Reply-To: <{sentMessage.GetProperty("message_id").GetString()}>\r\n\r\nThank you!\r\n");
        var received = await PostAsync(organization, channelId, reply, "message");

        // A bounce and a complaint of two more sent messages.
        var bounced = MailDev.UniqueAddress("bounced");
        var (bouncedSent, _) = await organization.SendAndReceiveAsync(bounced, new { From = channel, To = bounced, Body = "One" });
        await PostAsync(organization, channelId, DeliverabilityTestSupport.ReportFixture("postfix-hard-bounce.eml", await organization.Client.GetOkAsync($"/v1/messages/{bouncedSent.Id()}"), bounced), "delivery_report");
        var complained = MailDev.UniqueAddress("complained");
        var (complainedSent, _) = await organization.SendAndReceiveAsync(complained, new { From = channel, To = complained, Body = "Two" });
        await PostAsync(organization, channelId, DeliverabilityTestSupport.ReportFixture("yahoo-complaint.eml", await organization.Client.GetOkAsync($"/v1/messages/{complainedSent.Id()}"), complained), "delivery_report");

        // A one-click unsubscription from an automated message.
        var dana = MailDev.UniqueAddress("dana");
        var (automated, mail) = await organization.SendAndReceiveAsync(dana, new { From = channel, To = dana, Body = "News", ConversationStatus = "automated" });
        var token = OneClick().Match(mail.Headers["List-Unsubscribe"]!).Groups["token"].Value;
        using (var click = await api.CreateAnonymousClient().PostAsync($"/u/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")])))
        {
            Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        }

        await receiver.WaitForAsync(d => types.All(t => d.Any(r => r.Type == t)), TimeSpan.FromSeconds(30), "one event of each two-way type");
        await Task.Delay(1500);
        var delivered = receiver.Delivered;

        Assert.Equal(types.Order(), delivered.Select(r => r.Type).Order());
        Assert.All(delivered, r => Assert.True(StandardWebhooks.IsValid(secret, r), $"Bad signature on {r.Id}: {r.Signature}"));
        JsonElement DataOf(string type) => delivered.Single(r => r.Type == type).Data;

        var inbound = DataOf("message.received");
        Assert.Equal(received.GetProperty("id").GetInt64(), inbound.GetProperty("message_id").GetInt64());
        Assert.Equal(sent.GetProperty("conversation_id").GetInt64(), inbound.GetProperty("conversation_id").GetInt64());
        Assert.Equal(received.GetProperty("contact_id").GetInt64(), inbound.GetProperty("contact_id").GetInt64());

        var bounce = DataOf("message.bounced");
        Assert.Equal((bouncedSent.Id(), bounced, "5.1.1", true), (bounce.GetProperty("message_id").GetInt64(), bounce.GetProperty("recipient").GetString(), bounce.GetProperty("status").GetString(), bounce.GetProperty("permanent").GetBoolean()));
        Assert.Equal(bouncedSent.GetProperty("conversation_id").GetInt64(), bounce.GetProperty("conversation_id").GetInt64());

        var complaint = DataOf("message.complained");
        Assert.Equal((complainedSent.Id(), complained), (complaint.GetProperty("message_id").GetInt64(), complaint.GetProperty("recipient").GetString()));

        var unsubscribed = DataOf("contact.unsubscribed");
        Assert.Equal((channelId, "opted_out", "unsubscribe_link", automated.Id()),
            (unsubscribed.GetProperty("channel_id").GetInt64(), unsubscribed.GetProperty("state").GetString(), unsubscribed.GetProperty("source").GetString(), unsubscribed.GetProperty("message_id").GetInt64()));
    }

    private static async Task<JsonElement> PostAsync(TestOrganization organization, long channelId, byte[] raw, string kind)
    {
        using var posted = await organization.Client.PostRawAsync(channelId, raw);
        var answer = await ApiAssert.StatusAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal(kind, answer.GetProperty("kind").GetString());
        return answer;
    }


    [GeneratedRegex(@"<https?://[^>]+/u/(?<token>[a-z0-9-]+)>")]
    private static partial Regex OneClick();
}
