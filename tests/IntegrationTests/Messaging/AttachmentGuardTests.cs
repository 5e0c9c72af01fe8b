using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

/// <summary>
/// With the settings the project ships, an attachment URL on an internal address is never fetched.
/// The service runs as its own process on its own database here, so the shared test host (which lets
/// attachments come from 127.0.0.1) never picks up these deliveries.
/// </summary>
public sealed class AttachmentGuardTests
{
    [Fact]
    public async Task Attachment_on_a_loopback_address_is_never_fetched_and_the_message_fails()
    {
        var database = TestDatabase.Own("_defaults");
        await using var files = await AttachmentServer.StartAsync();
        await using var service = await ApiProcess.StartAsync(database);
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();

        foreach (var route in new[] { "files", "redirect" })
        {
            var name = $"secret-{route}.txt";
            var url = files.Serve(name, "internal"u8.ToArray(), "text/plain").Replace("/files/", $"/{route}/", StringComparison.Ordinal);
            var to = MailDev.UniqueAddress();

            var sent = await organization.SendAsync(new { From = channel, To = to, Body = "See attached", Attachments = new[] { url } });
            var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "failed");

            Assert.Equal(0, files.Hits(name));
            var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
            Assert.Equal("attachments", attempt.GetProperty("phase").GetString());
            Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
            Assert.Contains("not public", message.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Empty(await MailDev.ForRecipientAsync(to));
        }
    }
}
