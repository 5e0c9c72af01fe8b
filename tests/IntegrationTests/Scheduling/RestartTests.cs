using System.Globalization;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Scheduling;

/// <summary>A host on a database of its own that a test starts, stops and starts again.</summary>
public sealed class IsolatedApiFactory(string databaseSuffix) : ApiFactory(databaseSuffix);

public sealed class RestartTests
{
    [Fact]
    public async Task Scheduled_messages_survive_a_restart_and_are_delivered_exactly_once()
    {
        var (acrossRestart, whileDown) = (MailDev.UniqueAddress("across"), MailDev.UniqueAddress("down"));
        string apiKey;
        long acrossId, downId;
        DateTimeOffset acrossDue;
        await using (var first = new IsolatedApiFactory("_restart"))
        {
            var organization = await first.CreateOrganizationAsync();
            apiKey = organization.ApiKey;
            var (_, channel) = await organization.CreateChannelAsync();
            var whileDownAt = ScheduledSendTests.At(TimeSpan.FromSeconds(3));
            var acrossAt = ScheduledSendTests.At(TimeSpan.FromSeconds(12));
            acrossDue = DateTimeOffset.Parse(acrossAt, CultureInfo.InvariantCulture);
            downId = (await organization.SendAsync(new { From = channel, To = whileDown, Body = "Due while down", ScheduleAt = whileDownAt })).Id();
            acrossId = (await organization.SendAsync(new { From = channel, To = acrossRestart, Body = "Due after restart", ScheduleAt = acrossAt })).Id();
        }

        // The service is stopped while the first message falls due.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Empty(await MailDev.ForRecipientAsync(whileDown));

        await using var second = new IsolatedApiFactory("_restart");
        var restarted = new TestOrganization(0, "restarted", apiKey, second.CreateClient(apiKey));

        var down = await restarted.WaitForStatusAsync(downId, TimeSpan.FromSeconds(20), "sent");
        var across = await restarted.WaitForStatusAsync(acrossId, TimeSpan.FromSeconds(20), "sent");

        Assert.Single(await MailDev.WaitForAsync(whileDown));
        Assert.Single(await MailDev.WaitForAsync(acrossRestart));
        var sentAt = DateTimeOffset.Parse(across.GetProperty("sent_at").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(sentAt >= acrossDue, "Never before its time.");
        Assert.Single(down.GetProperty("attempts").EnumerateArray());
        Assert.Single(across.GetProperty("attempts").EnumerateArray());
        await Task.Delay(1500);
        Assert.Single(await MailDev.ForRecipientAsync(whileDown));
        Assert.Single(await MailDev.ForRecipientAsync(acrossRestart));
    }
}
