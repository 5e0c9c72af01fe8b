using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

/// <summary>What the service does with the SMTP server's refusals.</summary>
[Collection(ApiCollection.Name)]
public sealed class SmtpReplyTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_5xx_reply_fails_the_message_at_once_with_the_reply_recorded()
    {
        await using var server = new ScriptedSmtpServer { RecipientReply = "550 5.1.1 No such user here" };
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hi" });
        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "failed");
        await Task.Delay(2500);
        message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
        Assert.Equal("envelope", attempt.GetProperty("phase").GetString());
        Assert.Equal(550, attempt.GetProperty("reply_code").GetInt32());
        Assert.Contains("No such user", message.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", message.GetProperty("delivery_status").GetString());
        Assert.Equal(0, server.Accepted);
    }

    [Fact]
    public async Task A_4xx_reply_is_retried_and_the_message_is_sent_once_the_server_accepts()
    {
        await using var server = new ScriptedSmtpServer { RecipientReply = "450 4.2.1 Mailbox busy, try later" };
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hi" });
        await organization.WaitForAttemptsAsync(sent.Id(), Delivery);

        server.RecipientReply = "250 OK";
        var message = await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");

        var attempts = message.GetProperty("attempts").EnumerateArray().ToList();
        Assert.True(attempts.Count >= 2);
        Assert.Equal("transient", attempts[0].GetProperty("outcome").GetString());
        Assert.Equal(450, attempts[0].GetProperty("reply_code").GetInt32());
        Assert.Equal("sent", attempts[^1].GetProperty("outcome").GetString());
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task A_connection_lost_after_the_whole_message_makes_it_uncertain_and_only_an_operator_retries_it()
    {
        await using var server = new ScriptedSmtpServer { DropAfterData = true };
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = server.Port, Security = "none" });

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hi" });
        await organization.WaitForStatusAsync(sent.Id(), Delivery, "uncertain");
        await Task.Delay(3000);
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");

        Assert.Equal("uncertain", message.GetProperty("delivery_status").GetString());
        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("uncertain", attempt.GetProperty("outcome").GetString());
        Assert.Equal("data", attempt.GetProperty("phase").GetString());
        Assert.Equal(1, server.Accepted);

        server.DropAfterData = false;
        using (var retry = await organization.Client.PostAsync($"/v1/messages/{sent.Id()}/retry", null))
        {
            var retried = await ApiAssert.StatusAsync(retry, System.Net.HttpStatusCode.OK);
            Assert.Equal("queued", retried.GetProperty("delivery_status").GetString());
        }

        var delivered = await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");
        Assert.Equal(2, delivered.GetProperty("attempts").GetArrayLength());
        Assert.Equal(2, server.Accepted);
    }
}
