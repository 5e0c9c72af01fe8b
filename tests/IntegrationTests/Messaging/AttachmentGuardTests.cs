using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Messaging;

/// <summary>With the settings the project ships, an attachment URL on an internal address is never fetched.</summary>
[Collection(DefaultSettingsApiCollection.Name)]
public sealed class AttachmentGuardTests(DefaultSettingsApiFactory api)
{
    [Theory]
    [InlineData("files")]
    [InlineData("redirect")]
    public async Task Attachment_on_a_loopback_address_is_never_fetched_and_the_message_fails(string route)
    {
        await using var files = await AttachmentServer.StartAsync();
        var url = files.Serve("secret.txt", "internal"u8.ToArray(), "text/plain").Replace("/files/", $"/{route}/", StringComparison.Ordinal);
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();

        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "See attached", Attachments = new[] { url } });
        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "failed");

        Assert.Equal(0, files.Hits("secret.txt"));
        var attempt = System.Linq.Enumerable.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("attachments", attempt.GetProperty("phase").GetString());
        Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
        Assert.Contains("not public", message.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(await MailDev.ForRecipientAsync(to));
    }
}
