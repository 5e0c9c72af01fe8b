using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Npgsql;

namespace Modular.IntegrationTests.Webhooks;

/// <summary>
/// Webhooks with the service as its own process on a database of its own: a kill between the state
/// change and the dispatch, an endpoint that keeps failing, and the address guard as shipped.
/// </summary>
public sealed class WebhookProcessTests
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killing_the_service_between_the_state_changes_and_their_dispatch_loses_no_event()
    {
        const int Count = 20;
        var database = TestDatabase.Fresh("_webhooks_kill");
        await using var relay = new ScriptedSmtpServer();
        await using var receiver = new WebhookReceiver();
        var settings = new Dictionary<string, string>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // A held request gives up after 2 s, and its lease (timeout + 10 s) runs out soon after a crash.
            ["Webhooks:Timeout"] = "00:00:02",
            // A few requests at once: when the process dies, some events are in flight and the others not sent yet.
            ["Webhooks:Concurrency"] = "4",
        };

        string secret;
        await using (var first = await ApiProcess.StartAsync(database, settings))
        {
            var organization = await first.CreateOrganizationAsync();
            var (_, channel) = await organization.CreateChannelAsync();
            var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = new[] { "message.sent" } });
            secret = webhook.GetProperty("secret").GetString()!;

            // The receiver takes the requests and never answers them: nothing is delivered before the kill.
            receiver.Hold();
            for (var i = 0; i < Count; i++)
            {
                await organization.SendAsync(new { From = channel, To = $"kill-{i}@customer.example.com", Body = $"Message {i}" });
            }

            await WaitUntilAsync(async () => await CountAsync(database, "SELECT count(*) FROM messages WHERE status = 'Sent'") == Count, "every message sent");
            await WaitUntilAsync(() => Task.FromResult(receiver.Received.Count > 0), "a request in flight");
            Assert.Equal(Count, await CountAsync(database, "SELECT count(*) FROM webhook_events"));
            Assert.Empty(receiver.Delivered);
            await first.KillAsync();
        }

        receiver.Release();
        receiver.Answer = (_, _) => 200;

        // The receiver now answers at once, but it records a request as delivered before its answer leaves. A
        // cold process on a loaded machine can take longer than 2 s to read that answer, give up and (rightly,
        // at least once) send the event again: the restarted process waits long enough to hear every answer.
        // The events in flight at the kill keep the first process's short leases.
        settings["Webhooks:Timeout"] = "00:00:30";
        await using var second = await ApiProcess.StartAsync(database, settings);

        var delivered = await receiver.WaitForAsync(d => d.Select(r => r.Id).Distinct().Count() == Count, Arrival, $"{Count} message.sent events after the restart");
        var messageIds = delivered.GroupBy(r => r.Id).Select(g => g.First().Data.GetProperty("message_id").GetInt64()).ToList();
        Assert.Equal(Count, messageIds.Distinct().Count());
        Assert.All(delivered, r => Assert.True(StandardWebhooks.IsValid(secret, r)));

        // An event in flight at the kill came again with its webhook-id, not as a new event.
        Assert.Subset(delivered.Select(r => r.Id).ToHashSet(), receiver.Received.Where(r => r.AnsweredWith == 0).Select(r => r.Id).ToHashSet());
        await Task.Delay(1000);
        Assert.True(Count == receiver.Delivered.Count, $"{receiver.Delivered.Count} deliveries of {Count} events; more than once: "
            + string.Join(", ", receiver.Delivered.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}")));
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_is_disabled_with_the_reason_and_gets_no_more_events()
    {
        var database = TestDatabase.Fresh("_webhooks_disable");
        await using var receiver = new WebhookReceiver { Answer = (_, _) => 503 };
        var settings = new Dictionary<string, string>
        {
            ["Webhooks:DisableAfter"] = "3",
            ["Webhooks:RetryDelays:0"] = "00:00:00.200",
        };
        await using var service = await ApiProcess.StartAsync(database, settings);
        var organization = await service.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = new[] { "contact.opted_in" } });

        for (var i = 0; i < 3; i++)
        {
            await organization.Client.CreateAsync("/v1/contacts", new { Email = $"failing-{i}@customer.example.com", OptInTo = new[] { new { Id = channelId } } });
        }

        var disabled = await WaitForAsync(organization, webhook.Id(), w => !w.GetProperty("enabled").GetBoolean());
        Assert.Contains("3 consecutive events failed", disabled.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("HTTP 503", disabled.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, receiver.Received.Count);

        // Disabled: later events are not sent to it; a replay is refused until it is enabled again.
        await organization.Client.CreateAsync("/v1/contacts", new { Email = "later@customer.example.com", OptInTo = new[] { new { Id = channelId } } });
        await Task.Delay(2000);
        Assert.Equal(6, receiver.Received.Count);
        var log = await organization.Client.GetOkAsync($"/v1/webhooks/{webhook.Id()}/deliveries");
        Assert.Equal(6, log.GetProperty("total").GetInt32());
        using var replay = await organization.Client.PostAsync($"/v1/webhooks/{webhook.Id()}/deliveries/{log.GetProperty("data")[0].Id()}/replay", null);
        await ApiAssert.ProblemAsync(replay, HttpStatusCode.Conflict);

        receiver.Answer = (_, _) => 200;
        using var enable = await organization.Client.PatchJsonAsync($"/v1/webhooks/{webhook.Id()}", new { Enabled = true });
        var enabled = await ApiAssert.StatusAsync(enable, HttpStatusCode.OK);
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, enabled.GetProperty("consecutive_failures").GetInt32());
        using var replayed = await organization.Client.PostAsync($"/v1/webhooks/{webhook.Id()}/deliveries/{log.GetProperty("data")[0].Id()}/replay", null);
        await ApiAssert.StatusAsync(replayed, HttpStatusCode.Accepted);
        await receiver.WaitForAsync(d => d.Count == 1, Arrival, "the replay after enabling");
    }

    public static TheoryData<string> RefusedUrls =>
    [
        "http://127.0.0.1:8080/hooks", "http://localhost/hooks", "https://10.1.2.3/hooks", "https://172.20.0.1/", "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::1]/", "http://[fd00::25]/", "http://[fe80::1]/", "http://224.0.0.1/", "http://0.0.0.0/",
    ];

    [Fact]
    public async Task As_shipped_a_url_on_a_refused_address_is_422_and_a_name_that_does_not_resolve_yet_is_accepted()
    {
        await using var service = await ApiProcess.StartAsync(TestDatabase.Own("_webhooks_guard"), new Dictionary<string, string> { ["Webhooks:AllowPrivateNetworks"] = "false" });
        var organization = await service.CreateOrganizationAsync();
        var accepted = await organization.Client.CreateAsync("/v1/webhooks", new { Url = "https://hooks.not-yet-registered.invalid/modular", Events = new[] { "*" } });

        foreach (var url in RefusedUrls)
        {
            using var created = await organization.Client.PostJsonAsync("/v1/webhooks", new { Url = url, Events = new[] { "*" } });
            var problem = await ApiAssert.ValidationProblemAsync(created, "url");
            Assert.Contains("not public", problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);

            using var changed = await organization.Client.PatchJsonAsync($"/v1/webhooks/{accepted.Id()}", new { Url = url });
            await ApiAssert.ValidationProblemAsync(changed, "url");
        }

        Assert.Equal(1, (await organization.Client.GetOkAsync("/v1/webhooks")).GetProperty("total").GetInt32());
    }

    private static async Task<System.Text.Json.JsonElement> WaitForAsync(TestOrganization organization, long webhookId, Func<System.Text.Json.JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Arrival;
        while (true)
        {
            var webhook = await organization.Client.GetOkAsync($"/v1/webhooks/{webhookId}");
            if (done(webhook) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(webhook), $"Not as expected in time: {webhook}");
                return webhook;
            }

            await Task.Delay(200);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + Arrival;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {Arrival}: {what}.");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
