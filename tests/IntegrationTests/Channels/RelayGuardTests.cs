using System.Net;
using System.Net.Sockets;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Npgsql;

namespace Modular.IntegrationTests.Channels;

/// <summary>
/// With <c>Smtp:AllowPrivateRelays</c> off (as shipped), a tenant cannot make the service connect to an
/// internal address through a channel's relay: refused when set, and again when a delivery connects.
/// </summary>
public sealed class RelayGuardTests
{
    private static readonly Dictionary<string, string> Shipped = new() { ["Smtp:AllowPrivateRelays"] = "false" };

    public static TheoryData<string> RefusedHosts =>
    [
        "127.0.0.1", "localhost", "10.1.2.3", "172.20.0.1", "192.168.0.10", "169.254.169.254", "100.64.0.1",
        "192.0.2.10", "198.51.100.10", "203.0.113.10", "198.18.0.1", "0.0.0.0", "[::1]", "::ffff:127.0.0.1", "64:ff9b::7f00:1",
        "2002:7f00:1::1", "fd00::25", Dns.GetHostName(), "no-such-host.invalid",
    ];

    [Fact]
    public async Task A_relay_on_a_refused_address_is_422_on_create_and_on_change_and_the_default_relay_is_accepted()
    {
        await using var service = await ApiProcess.StartAsync(TestDatabase.Own("_relays"), Shipped);
        var organization = await service.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();

        foreach (var host in RefusedHosts)
        {
            var smtp = new { Host = host, Port = 2525, Security = "none" };
            using var created = await organization.Client.PostJsonAsync("/v1/channels", new { Name = "Relay", Email = $"r-{Guid.NewGuid():N}@acme.example.com", Smtp = smtp });
            var problem = await ApiAssert.ValidationProblemAsync(created, "smtp.host");
            Assert.Contains("may not be used", problem.GetProperty("errors").GetProperty("smtp.host")[0].GetString(), StringComparison.Ordinal);

            using var changed = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { Smtp = smtp });
            await ApiAssert.ValidationProblemAsync(changed, "smtp.host");
        }

        var channel = await organization.Client.GetOkAsync($"/v1/channels/{channelId}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, channel.GetProperty("smtp").ValueKind);

        // The default relay of the configuration is trusted, wherever it runs (here on 127.0.0.1).
        var defaultRelay = new { Host = MailDev.SmtpHost, Port = MailDev.SmtpPort, Security = "none" };
        using var trusted = await organization.Client.PatchJsonAsync($"/v1/channels/{channelId}", new { Smtp = defaultRelay });
        await ApiAssert.StatusAsync(trusted, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_stored_relay_on_a_refused_address_is_never_connected_to_and_the_message_fails_for_good()
    {
        var database = TestDatabase.Own("_relays");
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        await using var service = await ApiProcess.StartAsync(database, Shipped);
        var organization = await service.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync(smtp: new { Host = MailDev.SmtpHost, Port = MailDev.SmtpPort, Security = "none" });

        // A relay stored before the rule existed (or by an operator who has since turned the allowance off).
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand("UPDATE channels SET smtp_port = @port WHERE id = @id", connection);
            update.Parameters.AddWithValue("port", ((IPEndPoint)relay.LocalEndpoint).Port);
            update.Parameters.AddWithValue("id", channelId);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hello" });
        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "failed");

        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
        Assert.Equal("connect", attempt.GetProperty("phase").GetString());
        Assert.Contains("not public (loopback)", message.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(relay.Pending(), "The relay saw no connection.");
    }

    [Fact]
    public async Task A_relay_name_that_does_not_exist_fails_at_once_and_for_good()
    {
        // Allowed private relays: the name is not checked when the channel is set, only when connecting.
        await using var service = await ApiProcess.StartAsync(TestDatabase.Own("_relays"));
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync(smtp: new { Host = "no-such-host.invalid", Port = 2525, Security = "none" });

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hello" });
        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(20), "failed");

        var attempt = Assert.Single(message.GetProperty("attempts").EnumerateArray());
        Assert.Equal("permanent", attempt.GetProperty("outcome").GetString());
        Assert.Contains("does not exist", message.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
