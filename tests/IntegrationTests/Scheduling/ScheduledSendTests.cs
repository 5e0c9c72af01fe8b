using System.Globalization;
using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Modular.IntegrationTests.Scheduling;

[Collection(ApiCollection.Name)]
public sealed class ScheduledSendTests(ApiFactory api, ITestOutputHelper output)
{
    private static readonly TimeSpan Allowed = TimeSpan.FromSeconds(2);

    public static string At(TimeSpan ahead) => (DateTimeOffset.UtcNow + ahead).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(JsonElement message, string property) =>
        DateTimeOffset.Parse(message.GetProperty(property).GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Message_scheduled_three_seconds_ahead_is_not_delivered_before_its_time_and_is_delivered_within_two_seconds_after()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();
        var scheduleAt = At(TimeSpan.FromSeconds(3));

        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "Later", ScheduleAt = scheduleAt });

        Assert.Equal("scheduled", sent.GetProperty("delivery_status").GetString());
        var due = DateTimeOffset.Parse(scheduleAt, CultureInfo.InvariantCulture);
        while (DateTimeOffset.UtcNow < due - TimeSpan.FromMilliseconds(150))
        {
            Assert.Empty(await MailDev.ForRecipientAsync(to));
            await Task.Delay(100);
        }

        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(10), "sent");
        var lateness = Time(message, "sent_at") - due;
        output.WriteLine($"Lateness: {lateness.TotalMilliseconds:0} ms");
        Assert.True(lateness >= TimeSpan.Zero, $"Sent {-lateness.TotalMilliseconds:0} ms early.");
        Assert.True(lateness <= Allowed, $"Sent {lateness.TotalMilliseconds:0} ms late.");
        Assert.Equal(due, Time(message, "schedule_at"));
        Assert.Single(await MailDev.WaitForAsync(to));
    }

    [Fact]
    public async Task Twenty_scheduled_sends_leave_on_time()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var sends = new List<(long Id, DateTimeOffset Due)>();
        for (var i = 0; i < 20; i++)
        {
            var scheduleAt = At(TimeSpan.FromSeconds(3) + TimeSpan.FromMilliseconds(i * 237));
            var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = $"Batch {i}", ScheduleAt = scheduleAt });
            sends.Add((sent.Id(), DateTimeOffset.Parse(scheduleAt, CultureInfo.InvariantCulture)));
        }

        var lateness = new List<TimeSpan>();
        foreach (var (id, due) in sends)
        {
            var message = await organization.WaitForStatusAsync(id, TimeSpan.FromSeconds(20), "sent");
            lateness.Add(Time(message, "sent_at") - due);
        }

        lateness.Sort();
        output.WriteLine($"Lateness over {lateness.Count} scheduled sends: median {lateness[lateness.Count / 2].TotalMilliseconds:0} ms, worst {lateness[^1].TotalMilliseconds:0} ms, best {lateness[0].TotalMilliseconds:0} ms");
        Assert.All(lateness, l => Assert.InRange(l, TimeSpan.Zero, Allowed));
    }

    [Fact]
    public async Task Canceled_message_is_never_delivered()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();
        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "Never", ScheduleAt = At(TimeSpan.FromSeconds(3)) });

        using (var cancel = await organization.Client.PostAsync($"/v1/messages/{sent.Id()}/cancel", null))
        {
            var canceled = await ApiAssert.StatusAsync(cancel, HttpStatusCode.OK);
            Assert.Equal("canceled", canceled.GetProperty("delivery_status").GetString());
        }

        using (var again = await organization.Client.PostAsync($"/v1/messages/{sent.Id()}/cancel", null))
        {
            await ApiAssert.ProblemAsync(again, HttpStatusCode.Conflict);
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Empty(await MailDev.ForRecipientAsync(to));
        var message = await organization.Client.GetOkAsync($"/v1/messages/{sent.Id()}");
        Assert.Equal("canceled", message.GetProperty("delivery_status").GetString());
        Assert.Empty(message.GetProperty("attempts").EnumerateArray());
    }

    [Fact]
    public async Task Rescheduled_message_is_delivered_exactly_once_at_the_new_time()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();
        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "Moved", ScheduleAt = At(TimeSpan.FromSeconds(3)) });
        var newTime = At(TimeSpan.FromSeconds(7));

        using (var patch = await organization.Client.PatchJsonAsync($"/v1/messages/{sent.Id()}", new { ScheduleAt = newTime }))
        {
            var rescheduled = await ApiAssert.StatusAsync(patch, HttpStatusCode.OK);
            Assert.Equal("scheduled", rescheduled.GetProperty("delivery_status").GetString());
            Assert.Equal(DateTimeOffset.Parse(newTime, CultureInfo.InvariantCulture), Time(rescheduled, "schedule_at"));
        }

        var due = DateTimeOffset.Parse(newTime, CultureInfo.InvariantCulture);
        while (DateTimeOffset.UtcNow < due - TimeSpan.FromMilliseconds(150))
        {
            Assert.Empty(await MailDev.ForRecipientAsync(to));
            await Task.Delay(200);
        }

        var message = await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(10), "sent");
        Assert.InRange(Time(message, "sent_at") - due, TimeSpan.Zero, Allowed);
        Assert.Single(await MailDev.WaitForAsync(to));
        await Task.Delay(1000);
        Assert.Single(await MailDev.ForRecipientAsync(to));
        Assert.Single(message.GetProperty("attempts").EnumerateArray());
    }

    [Fact]
    public async Task Schedule_in_the_past_sends_at_once()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var to = MailDev.UniqueAddress();

        var sent = await organization.SendAsync(new { From = channel, To = to, Body = "Now", ScheduleAt = At(TimeSpan.FromMinutes(-5)) });

        Assert.Equal("queued", sent.GetProperty("delivery_status").GetString());
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(10), "sent");
    }

    [Fact]
    public async Task Upcoming_sends_are_listed_soonest_first()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var later = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "2", ScheduleAt = At(TimeSpan.FromHours(2)) });
        var sooner = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "1", ScheduleAt = At(TimeSpan.FromHours(1)) });
        await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "now" });

        var upcoming = await organization.Client.GetOkAsync("/v1/messages?status=scheduled");

        Assert.Equal([sooner.Id(), later.Id()], upcoming.Ids());
        Assert.Equal(2, upcoming.GetProperty("total").GetInt32());
        var paged = await organization.Client.GetOkAsync("/v1/messages?status=scheduled&limit=1&offset=1");
        Assert.Equal([later.Id()], paged.Ids());
        Assert.Equal(3, (await organization.Client.GetOkAsync("/v1/messages")).GetProperty("total").GetInt32());

        foreach (var id in new[] { sooner.Id(), later.Id() })
        {
            using var cancel = await organization.Client.PostAsync($"/v1/messages/{id}/cancel", null);
            await ApiAssert.StatusAsync(cancel, HttpStatusCode.OK);
        }
    }

    [Theory]
    [InlineData("2030-01-01T09:00:00", "schedule_at")]
    [InlineData("tomorrow", "schedule_at")]
    [InlineData("FAR", "schedule_at")]
    public async Task Bad_schedule_at_answers_422(string scheduleAt, string field)
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var value = scheduleAt == "FAR" ? At(TimeSpan.FromDays(366)) : scheduleAt;

        using var response = await organization.Client.PostJsonAsync("/v1/messaging/email", new { From = channel, To = MailDev.UniqueAddress(), Body = "x", ScheduleAt = value });

        await ApiAssert.ValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Cancel_and_reschedule_of_a_message_that_is_not_scheduled_are_conflicts_and_bad_times_are_422()
    {
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "now" });
        await organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(10), "sent");

        using (var cancel = await organization.Client.PostAsync($"/v1/messages/{sent.Id()}/cancel", null))
        {
            await ApiAssert.ProblemAsync(cancel, HttpStatusCode.Conflict);
        }

        using (var patch = await organization.Client.PatchJsonAsync($"/v1/messages/{sent.Id()}", new { ScheduleAt = At(TimeSpan.FromHours(1)) }))
        {
            await ApiAssert.ProblemAsync(patch, HttpStatusCode.Conflict);
        }

        var scheduled = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "later", ScheduleAt = At(TimeSpan.FromHours(1)) });
        using (var patch = await organization.Client.PatchJsonAsync($"/v1/messages/{scheduled.Id()}", new { ScheduleAt = "2030-01-01 09:00" }))
        {
            await ApiAssert.ValidationProblemAsync(patch, "schedule_at");
        }

        using (var patch = await organization.Client.PatchJsonAsync($"/v1/messages/{scheduled.Id()}", new { }))
        {
            await ApiAssert.ValidationProblemAsync(patch, "schedule_at");
        }

        using (var cancel = await organization.Client.PostAsync($"/v1/messages/{scheduled.Id()}/cancel", null))
        {
            await ApiAssert.StatusAsync(cancel, HttpStatusCode.OK);
        }

        var other = await api.CreateOrganizationAsync();
        using var foreign = await other.Client.PostAsync($"/v1/messages/{scheduled.Id()}/cancel", null);
        await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Inbox_style_send_can_be_scheduled_too()
    {
        var setup = await InboxSetup.CreateAsync(api);
        var to = MailDev.UniqueAddress();
        var scheduleAt = At(TimeSpan.FromSeconds(3));

        var sent = await setup.SendAsync(new { CreatorId = setup.UserId, Inbox = setup.InboxId, Text = "Later", Targets = new[] { $"to:{to}" }, ScheduleAt = scheduleAt });

        Assert.True(sent.GetProperty("queued").GetBoolean());
        Assert.Equal(DateTimeOffset.Parse(scheduleAt, CultureInfo.InvariantCulture), DateTimeOffset.Parse(sent.GetProperty("date").GetString()!, CultureInfo.InvariantCulture));
        var message = await setup.Organization.WaitForStatusAsync(sent.Id(), TimeSpan.FromSeconds(10), "sent");
        Assert.InRange(Time(message, "sent_at") - Time(message, "schedule_at"), TimeSpan.Zero, Allowed);
    }
}
