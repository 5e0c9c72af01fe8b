using System.Net;
using System.Text;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Inbound;

/// <summary><c>GET /v1/messages/{id}/raw</c> of outbound messages: the bytes the SMTP server received.</summary>
[Collection(ApiCollection.Name)]
public sealed class RawSourceTests(ApiFactory api)
{
    [Fact]
    public async Task The_raw_source_of_a_sent_message_is_byte_for_byte_what_the_smtp_server_received()
    {
        await using var server = new ScriptedSmtpServer();
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", server.Port, Security = "none" }, senderName: "Zoë Support");
        var to = MailDev.UniqueAddress("raw");
        // A line that starts with a dot is dot-stuffed on the wire, and is one dot in the message itself.
        var sent = await organization.SendAsync(new
        {
            From = channel,
            To = $"Renée <{to}>",
            Cc = new[] { MailDev.UniqueAddress("copy") },
            Bcc = new[] { MailDev.UniqueAddress("hidden") },
            Subject = "Grüße aus Köln",
            Body = "<p>Hallo Renée,</p>\n<p>.\n.dotted line</p><p>" + new string('x', 200) + "</p>",
        });
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "sent");

        using var response = await organization.Client.GetAsync($"/v1/messages/{sent.Id()}/raw");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message/rfc822", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsByteArrayAsync();
        var received = Assert.Single(server.Received);
        Assert.Equal(Unstuffed(received.Data), Encoding.ASCII.GetString(raw));
        Assert.DoesNotContain("\nBcc:", Encoding.ASCII.GetString(raw), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\n.dotted line", Encoding.ASCII.GetString(raw).Replace("=\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_raw_source_equals_what_maildev_stored()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(senderName: "Zoë Support");
        var to = MailDev.UniqueAddress("raw");
        var sent = await organization.SendAsync(new { From = channel, To = to, Subject = "Ünïcode", Body = "Plain text, ünïcode.\n.leading dot" });
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "sent");

        var raw = await organization.Client.GetByteArrayAsync($"/v1/messages/{sent.Id()}/raw");

        var stored = await MailDev.RawSourceAsync((await MailDev.WaitForAsync(to))[0]);
        Assert.Equal(Encoding.ASCII.GetString(stored), Encoding.ASCII.GetString(raw));
    }

    [Fact]
    public async Task A_message_not_yet_handed_to_smtp_has_no_raw_source()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var scheduled = await organization.SendAsync(new
        {
            From = channel, To = MailDev.UniqueAddress(), Body = "later", ScheduleAt = DateTimeOffset.UtcNow.AddDays(1).ToString("O"),
        });

        using var response = await organization.Client.GetAsync($"/v1/messages/{scheduled.Id()}/raw");

        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("message.source.not_found", problem.GetProperty("code").GetString());
    }

    /// <summary>DATA as the server read it, with the transport's dot-stuffing undone (RFC 5321 section 4.5.2).</summary>
    private static string Unstuffed(string data) =>
        string.Join("\r\n", data.Split("\r\n").Select(line => line.StartsWith('.') ? line[1..] : line));
}
