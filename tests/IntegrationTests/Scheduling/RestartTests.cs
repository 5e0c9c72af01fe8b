using System.Globalization;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Scheduling;

/// <summary>
/// Scheduled sends across a real restart: the service runs as its own process, is killed (no
/// graceful shutdown), and a new process is started against the same database.
/// </summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Scheduled_messages_survive_a_restart_and_are_delivered_exactly_once()
    {
        var database = TestDatabase.Own("_restart");
        var (acrossRestart, whileDown) = (MailDev.UniqueAddress("across"), MailDev.UniqueAddress("down"));

        string apiKey;
        long acrossId, downId;
        DateTimeOffset acrossDue;
        await using (var first = await ApiProcess.StartAsync(database))
        {
            var organization = await first.CreateOrganizationAsync();
            apiKey = organization.ApiKey;
            var (_, channel) = await organization.CreateChannelAsync();
            var whileDownAt = ScheduledSendTests.At(TimeSpan.FromSeconds(4));
            var acrossAt = ScheduledSendTests.At(TimeSpan.FromSeconds(15));
            acrossDue = DateTimeOffset.Parse(acrossAt, CultureInfo.InvariantCulture);
            downId = (await organization.SendAsync(new { From = channel, To = whileDown, Body = "Due while down", ScheduleAt = whileDownAt })).Id();
            acrossId = (await organization.SendAsync(new { From = channel, To = acrossRestart, Body = "Due after restart", ScheduleAt = acrossAt })).Id();
            await first.KillAsync();
        }

        // The service is down while the first message falls due.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Empty(await MailDev.ForRecipientAsync(whileDown));

        await using var second = await ApiProcess.StartAsync(database);
        var restarted = new TestOrganization(0, "Restart", apiKey, second.CreateClient(apiKey));

        var down = await restarted.WaitForStatusAsync(downId, TimeSpan.FromSeconds(60), "sent");
        var across = await restarted.WaitForStatusAsync(acrossId, TimeSpan.FromSeconds(30), "sent");

        Assert.Single(await MailDev.WaitForAsync(whileDown));
        Assert.Single(await MailDev.WaitForAsync(acrossRestart));
        Assert.True(Sent(across) >= acrossDue, "Never before its time.");
        Assert.Single(down.GetProperty("attempts").EnumerateArray());
        Assert.Single(across.GetProperty("attempts").EnumerateArray());
        await Task.Delay(1500);
        Assert.Single(await MailDev.ForRecipientAsync(whileDown));
        Assert.Single(await MailDev.ForRecipientAsync(acrossRestart));
    }

    private static DateTimeOffset Sent(JsonElement message) =>
        DateTimeOffset.Parse(message.GetProperty("sent_at").GetString()!, CultureInfo.InvariantCulture);
}
