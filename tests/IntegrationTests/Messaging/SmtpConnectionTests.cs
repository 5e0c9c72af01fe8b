using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

[Collection(ApiCollection.Name)]
public sealed class SmtpConnectionTests(ApiFactory api)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Deliveries_to_one_relay_reuse_their_connection()
    {
        await using var proxy = new SmtpProxy(MailDev.SmtpHost, MailDev.SmtpPort);
        proxy.Start();
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = proxy.Port, Security = "none" });

        for (var i = 0; i < 3; i++)
        {
            var to = MailDev.UniqueAddress();
            var sent = await organization.SendAsync(new { From = channel, To = to, Body = $"Message {i}" });
            await organization.WaitForStatusAsync(sent.Id(), Delivery, "sent");
            Assert.Single(await MailDev.WaitForAsync(to));
        }

        Assert.Equal(1, proxy.Connections);
    }

    [Fact]
    public async Task A_reused_connection_the_server_closed_is_replaced_without_a_failed_attempt()
    {
        await using var proxy = new SmtpProxy(MailDev.SmtpHost, MailDev.SmtpPort);
        proxy.Start();
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = proxy.Port, Security = "none" });
        var first = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "First" });
        await organization.WaitForStatusAsync(first.Id(), Delivery, "sent");

        // The server side of the idle connection goes away, and the server comes back.
        proxy.Stop();
        proxy.Start();
        var to = MailDev.UniqueAddress();
        var second = await organization.SendAsync(new { From = channel, To = to, Body = "Second" });
        var message = await organization.WaitForStatusAsync(second.Id(), Delivery, "sent");

        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("sent", attempt.GetProperty("outcome").GetString());
        Assert.Single(await MailDev.WaitForAsync(to));
        Assert.Equal(2, proxy.Connections);
    }
}
