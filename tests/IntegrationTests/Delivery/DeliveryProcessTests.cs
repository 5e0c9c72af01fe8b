using System.Net;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Modular.IntegrationTests.Delivery;

/// <summary>
/// Delivery at volume, with the service as its own process on a database of its own, and a real SMTP
/// server on a loopback socket as its default relay: a campaign of one second, and a crash mid-backlog.
/// </summary>
public sealed class DeliveryProcessTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Unlimited = new()
    {
        ["RateLimiting:PermitsPerSecond"] = "100000",
        ["RateLimiting:Burst"] = "100000",
        ["Smtp:Host"] = "127.0.0.1",
    };

    [Fact]
    public async Task A_campaign_of_10000_messages_for_one_second_is_sent_once_never_early_with_a_handful_of_jobs()
    {
        const int Count = 10_000;
        var database = TestDatabase.Fresh("_campaign");
        await using var relay = new ScriptedSmtpServer();
        await using var service = await ApiProcess.StartAsync(database, Settings(relay));
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var jobsBefore = await DeliveryJobCountAsync(database);

        // A whole second, far enough ahead for every send to be accepted first, even while the rest of
        // the suite loads the machine (10,000 accepts took up to ~70 s there).
        var now = DateTimeOffset.UtcNow;
        var slot = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(120);
        var scheduleAt = slot.AddMilliseconds(250);
        await SendManyAsync(organization, Count, i => new { From = channel, To = $"campaign-{i}@customer.example.com", Body = $"Offer {i}", ScheduleAt = scheduleAt.ToString("O") });
        Assert.True(DateTimeOffset.UtcNow < scheduleAt, "Accepting the campaign took longer than its lead; the test cannot say anything.");

        // The wait is generous on purpose: under the full suite delivery ran at ~50/s (alone ~600/s).
        await relay.WaitForAcceptedAsync(Count, scheduleAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(300));
        var received = relay.Received;
        Assert.Equal(Count, received.Count);
        Assert.Equal(Count, received.Select(r => r.MessageId).Distinct().Count());
        Assert.True(received.Min(r => r.At) >= scheduleAt, $"The first left at {received.Min(r => r.At):O}, before {scheduleAt:O}.");
        Assert.InRange(await DeliveryJobCountAsync(database) - jobsBefore, 1, 9);

        // How soon after its time the last one left is a figure of the machine, not a rule of the
        // service: ./bench.sh measures it against the 10 s target (docs/benchmarks.md). Here it is reported.
        var last = received.Max(r => r.At);
        output.WriteLine($"{Count} messages: the last left {(last - scheduleAt).TotalSeconds:0.0} s after their time.");
    }

    [Fact]
    public async Task Sends_due_now_are_delivered_in_process_without_a_job_each()
    {
        const int Count = 200;
        var database = TestDatabase.Fresh("_immediate");
        await using var relay = new ScriptedSmtpServer();
        await using var service = await ApiProcess.StartAsync(database, Settings(relay));
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var jobsBefore = await DeliveryJobCountAsync(database);

        await SendManyAsync(organization, Count, i => new { From = channel, To = $"now-{i}@customer.example.com", Body = $"Hello {i}" });
        await relay.WaitForAcceptedAsync(Count, TimeSpan.FromSeconds(120));

        Assert.Equal(Count, relay.Received.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(0, await DeliveryJobCountAsync(database) - jobsBefore);
    }

    [Fact]
    public async Task A_time_slot_is_run_by_the_dispatcher_even_when_its_job_is_gone()
    {
        const int Count = 3;
        var database = TestDatabase.Fresh("_slot");
        await using var relay = new ScriptedSmtpServer();
        // No re-drive of overdue messages within the test: only the dispatcher's own wake-up can send these.
        await using var service = await ApiProcess.StartAsync(database, new Dictionary<string, string>(Settings(relay)) { ["Delivery:OverdueAfter"] = "01:00:00" });
        var organization = await service.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();

        var now = DateTimeOffset.UtcNow;
        var scheduleAt = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(8).AddMilliseconds(500);
        await SendManyAsync(organization, Count, i => new { From = channel, To = $"slot-{i}@customer.example.com", Body = $"Later {i}", ScheduleAt = scheduleAt.ToString("O") });
        Assert.Equal(1, await DeleteSlotJobsAsync(database));
        Assert.True(DateTimeOffset.UtcNow < scheduleAt - HangfireLead, "Accepting took longer than the slot's lead; the test cannot say anything.");

        await relay.WaitForAcceptedAsync(Count, scheduleAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60));
        Assert.Equal(Count, relay.Received.Count);
        Assert.All(relay.Received, r => Assert.True(r.At >= scheduleAt, $"Left at {r.At:O}, before {scheduleAt:O}."));
    }

    [Fact]
    public async Task A_service_killed_mid_backlog_delivers_every_message_once_after_a_restart_without_an_operator()
    {
        const int Count = 1000;
        var database = TestDatabase.Fresh("_crash");
        await using var relay = new ScriptedSmtpServer { ReplyDelay = TimeSpan.FromMilliseconds(10) };
        int inFlightAtKill;
        await using (var first = await ApiProcess.StartAsync(database, Settings(relay)))
        {
            var organization = await first.CreateOrganizationAsync();
            var (_, channel) = await organization.CreateChannelAsync();

            // The whole backlog falls due at once (accepting 1000 sends one by one would let delivery keep up).
            var dueAt = DateTimeOffset.UtcNow.AddSeconds(20).ToString("O");
            await SendManyAsync(organization, Count, i => new { From = channel, To = $"backlog-{i}@customer.example.com", Body = $"Message {i}", ScheduleAt = dueAt });
            await relay.WaitForAcceptedAsync(Count / 5, TimeSpan.FromSeconds(60));
            await first.KillAsync();
            // A high-water mark, read after the kill so a connection opened in between is counted.
            inFlightAtKill = relay.MaxOpenConnections;
        }

        var restartedAt = DateTimeOffset.UtcNow;
        var receivedBeforeRestart = relay.Received.Count;
        Assert.True(receivedBeforeRestart < Count, "The backlog was delivered before the kill; the test cannot say anything.");
        await using var second = await ApiProcess.StartAsync(database, Settings(relay));

        var statuses = await WaitUntilSettledAsync(database, Count, TimeSpan.FromSeconds(60));
        var settledAfter = DateTimeOffset.UtcNow - restartedAt;
        var uncertain = statuses.Count(s => s.Status == "Uncertain");
        Assert.All(statuses, s => Assert.Contains(s.Status, new[] { "Sent", "Uncertain" }));
        Assert.True(uncertain <= inFlightAtKill, $"{uncertain} uncertain, but at most {inFlightAtKill} SMTP connections (so transactions) were open at once.");

        // Exactly once: every sent message arrived once; an uncertain one at most once; none twice.
        var arrivals = relay.Received.GroupBy(r => r.MessageId ?? string.Empty).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(arrivals, a => Assert.Equal(1, a.Value));
        Assert.All(statuses.Where(s => s.Status == "Sent"), s => Assert.True(arrivals.ContainsKey(s.MessageId), $"{s.MessageId} is sent but never arrived."));
        Assert.True(settledAfter < TimeSpan.FromSeconds(60), $"Settled {settledAfter.TotalSeconds:0} s after the restart.");
    }

    private static Dictionary<string, string> Settings(ScriptedSmtpServer relay) =>
        new(Unlimited) { ["Smtp:Port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static async Task SendManyAsync(TestOrganization organization, int count, Func<int, object> body)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var response = await organization.Client.PostJsonAsync("/v1/messaging/email", body(i));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }));
    }

    /// <summary>How long before its slot the service releases a slot's Hangfire job.</summary>
    private static readonly TimeSpan HangfireLead = TimeSpan.FromSeconds(1.5);

    /// <summary>Deletes the slot jobs (Hangfire removes a job's state and parameters with it); returns how many there were.</summary>
    private static async Task<int> DeleteSlotJobsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM hangfire.job WHERE invocationdata::text LIKE '%DeliverSlotAsync%'", connection);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> DeliveryJobCountAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%DeliverSlotAsync%' OR invocationdata::text LIKE '%DeliverDueAsync%'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until none of the messages is queued or being sent; returns each one's status and Message-ID.</summary>
    private static async Task<List<(string Status, string MessageId)>> WaitUntilSettledAsync(string database, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var statuses = new List<(string, string)>();
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT status, message_id_header FROM messages", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    statuses.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            if (statuses.Count == count && statuses.All(s => s.Item1 is "Sent" or "Uncertain" or "Failed"))
            {
                return statuses;
            }

            if (DateTime.UtcNow > deadline)
            {
                var open = statuses.GroupBy(s => s.Item1).Select(g => $"{g.Key}: {g.Count()}");
                throw new TimeoutException($"Not settled within {timeout}: {string.Join(", ", open)}.");
            }

            await Task.Delay(250);
        }
    }
}
