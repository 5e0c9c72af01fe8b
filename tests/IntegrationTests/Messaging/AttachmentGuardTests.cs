using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task Special_purpose_addresses_and_this_machines_own_name_are_refused_without_a_connection()
    {
        var database = TestDatabase.Own("_defaults");
        // Listens on every interface of this machine: a guard that let the host name through would connect here.
        using var listener = new TcpListener(IPAddress.IPv6Any, 0);
        listener.Server.DualMode = true;
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var service = await ApiProcess.StartAsync(database);
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();

        string[] urls =
        [
            $"http://{Dns.GetHostName()}:{port}/own-name.txt",
            $"http://192.0.2.10:{port}/documentation.txt",
            $"http://198.51.100.10:{port}/documentation.txt",
            $"http://203.0.113.10:{port}/documentation.txt",
            $"http://198.18.0.10:{port}/benchmarking.txt",
            $"http://[64:ff9b::7f00:1]:{port}/nat64.txt",
            $"http://[2002:7f00:1::1]:{port}/6to4.txt",
            $"http://[::ffff:127.0.0.1]:{port}/mapped.txt",
            $"http://0.0.0.0:{port}/this-network.txt",
        ];
        foreach (var url in urls)
        {
            var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "See attached", Attachments = new[] { url } });
            var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "failed");

            var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
            Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
            Assert.Contains("not public", message.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.False(listener.Pending(), "No connection reached this machine's listener.");
    }

    [Fact]
    public async Task A_host_name_that_does_not_exist_fails_at_once_and_for_good()
    {
        // Its own database: a process with other settings must never deliver the shipped-settings tests' messages.
        var database = TestDatabase.Own("_attachments");
        // Even where internal addresses are allowed, a name without DNS records is not retried for hours.
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string> { ["Attachments:AllowPrivateNetworks"] = "true" });
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "See attached", Attachments = new[] { "http://no-such-host.invalid/file.txt" } });
        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "failed");

        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
        Assert.Contains("no-such-host.invalid does not exist", message.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_system_proxy_is_not_used_for_attachments()
    {
        var database = TestDatabase.Own("_attachments");
        await using var files = await AttachmentServer.StartAsync();
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var proxyUrl = $"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}";
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["Attachments:AllowPrivateNetworks"] = "true",
            ["HTTP_PROXY"] = proxyUrl,
            ["http_proxy"] = proxyUrl,
            ["HTTPS_PROXY"] = proxyUrl,
            ["ALL_PROXY"] = proxyUrl,
        });
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var url = files.Serve("direct.txt", "fetched directly"u8.ToArray(), "text/plain");
        var to = MailDev.UniqueAddress();

        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "See attached", Attachments = new[] { url } });
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "sent");

        Assert.Equal(1, files.Hits("direct.txt"));
        Assert.False(proxy.Pending(), "The proxy saw no connection.");
    }
}
