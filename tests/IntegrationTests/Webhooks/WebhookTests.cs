using System.Net;
using System.Text.Json;
using Modular.IntegrationTests.Infrastructure;
using Modular.IntegrationTests.Messaging;
using Modular.IntegrationTests.Support;

namespace Modular.IntegrationTests.Webhooks;

/// <summary>
/// Webhooks end to end on the shared host: real sends through MailDev and scripted SMTP servers, events
/// to a real HTTP receiver on a loopback socket, signatures checked with the test's own implementation
/// of Standard Webhooks.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookTests(ApiFactory api)
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_event_type_arrives_once_with_a_valid_signature_and_the_ids_a_receiver_needs()
    {
        await using var receiver = new WebhookReceiver();
        await using var refusing = new ScriptedSmtpServer { RecipientReply = "550 5.1.1 No such user here" };
        await using var dropping = new ScriptedSmtpServer { DropAfterData = true };
        var organization = await api.CreateOrganizationAsync();
        var (channelId, channel) = await organization.CreateChannelAsync();
        var (_, refusingChannel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = refusing.Port, Security = "none" });
        var (_, droppingChannel) = await organization.CreateChannelAsync(smtp: new { Host = "127.0.0.1", Port = dropping.Port, Security = "none" });
        var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = new[] { "*" }, Description = "All events" });
        var secret = webhook.GetProperty("secret").GetString()!;

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Subject = "Sent", Body = "Hi" });
        var failed = await organization.SendAsync(new { From = refusingChannel, To = MailDev.UniqueAddress(), Body = "Refused" });
        var uncertain = await organization.SendAsync(new { From = droppingChannel, To = MailDev.UniqueAddress(), Body = "Dropped" });
        var scheduled = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Later", ScheduleAt = DateTimeOffset.UtcNow.AddHours(1).ToString("O") });
        using (var cancel = await organization.Client.PostAsync($"/v1/messages/{scheduled.Id()}/cancel", null))
        {
            await ApiAssert.StatusAsync(cancel, HttpStatusCode.OK);
        }

        var contact = await organization.Client.CreateAsync("/v1/contacts", new { Email = MailDev.UniqueAddress("optin"), OptInTo = new[] { new { Id = channelId } } });
        using (var optOut = await organization.Client.PostJsonAsync($"/v1/contacts/{contact.Id()}/opt_out", new { ChannelIds = new[] { channelId } }))
        {
            await ApiAssert.StatusAsync(optOut, HttpStatusCode.OK);
        }

        var blocked = await organization.SendAsync(new { From = channel, To = contact.GetProperty("email").GetString(), Body = "Nobody" });
        Assert.Equal("blocked", blocked.GetProperty("delivery_status").GetString());

        string[] types = ["message.sent", "message.failed", "message.uncertain", "message.canceled", "message.blocked", "contact.opted_in", "contact.opted_out"];
        var delivered = await receiver.WaitForAsync(d => types.All(t => d.Any(r => r.Type == t)), Arrival, "one event of each type");
        await Task.Delay(1500);
        delivered = receiver.Delivered;

        // Once each, signed with the endpoint's secret, the webhook-id being the event's id.
        Assert.Equal(types.Order(), delivered.Select(r => r.Type).Order());
        Assert.All(delivered, r => Assert.True(StandardWebhooks.IsValid(secret, r), $"Bad signature on {r.Id}: {r.Signature}"));
        Assert.All(delivered, r => Assert.Equal(r.Id, r.Json.GetProperty("id").GetString()));
        Assert.All(delivered, r => Assert.StartsWith("evt_", r.Id, StringComparison.Ordinal));
        Assert.Equal(delivered.Count, delivered.Select(r => r.Id).Distinct().Count());

        JsonElement DataOf(string type) => delivered.Single(r => r.Type == type).Data;
        var sentData = DataOf("message.sent");
        Assert.Equal(sent.Id(), sentData.GetProperty("message_id").GetInt64());
        Assert.Equal(sent.GetProperty("conversation_id").GetInt64(), sentData.GetProperty("conversation_id").GetInt64());
        Assert.Equal(sent.GetProperty("contact_id").GetInt64(), sentData.GetProperty("contact_id").GetInt64());
        Assert.Equal(channelId, sentData.GetProperty("channel_id").GetInt64());
        Assert.Equal("sent", sentData.GetProperty("status").GetString());
        Assert.Equal(250, sentData.GetProperty("smtp_reply").GetProperty("code").GetInt32());
        Assert.Contains("@customer.example.com", sentData.GetProperty("recipient").GetString(), StringComparison.Ordinal);

        var failedData = DataOf("message.failed");
        Assert.Equal(failed.Id(), failedData.GetProperty("message_id").GetInt64());
        Assert.Equal(550, failedData.GetProperty("smtp_reply").GetProperty("code").GetInt32());
        Assert.Contains("No such user", failedData.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("refused", failedData.GetProperty("recipients")[0].GetProperty("status").GetString());

        Assert.Equal(uncertain.Id(), DataOf("message.uncertain").GetProperty("message_id").GetInt64());
        Assert.Equal("uncertain", DataOf("message.uncertain").GetProperty("status").GetString());
        Assert.Equal(scheduled.Id(), DataOf("message.canceled").GetProperty("message_id").GetInt64());
        var blockedData = DataOf("message.blocked");
        Assert.Equal(blocked.Id(), blockedData.GetProperty("message_id").GetInt64());
        Assert.Equal("opted_out", blockedData.GetProperty("compliance_results")[0].GetProperty("reason").GetString());

        foreach (var (type, state) in new[] { ("contact.opted_in", "opted_in"), ("contact.opted_out", "opted_out") })
        {
            var data = DataOf(type);
            Assert.Equal(contact.Id(), data.GetProperty("contact_id").GetInt64());
            Assert.Equal(channelId, data.GetProperty("channel_id").GetInt64());
            Assert.Equal(state, data.GetProperty("state").GetString());
        }

        // The contact's events came in the order they happened.
        var consent = delivered.Where(r => r.Type.StartsWith("contact.", StringComparison.Ordinal)).OrderBy(r => r.At).Select(r => r.Type);
        Assert.Equal(["contact.opted_in", "contact.opted_out"], consent);
    }

    [Fact]
    public async Task A_receiver_failing_three_times_gets_the_event_on_the_fourth_try_with_the_same_webhook_id_and_the_log_shows_each_try()
    {
        await using var receiver = new WebhookReceiver { Answer = (_, nth) => nth <= 3 ? 500 : 200 };
        var organization = await api.CreateOrganizationAsync();
        var (_, channel) = await organization.CreateChannelAsync();
        var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = new[] { "message.sent" } });
        var secret = webhook.GetProperty("secret").GetString()!;

        var sent = await organization.SendAsync(new { From = channel, To = MailDev.UniqueAddress(), Body = "Hi" });
        var delivered = await receiver.WaitForAsync(d => d.Count == 1, Arrival, "message.sent after three failures");

        var tries = receiver.Received;
        Assert.Equal(4, tries.Count);
        Assert.Single(tries.Select(t => t.Id).Distinct());
        Assert.Equal([500, 500, 500, 200], tries.Select(t => t.AnsweredWith));
        Assert.Equal(sent.Id(), delivered[0].Data.GetProperty("message_id").GetInt64());
        Assert.All(tries, t => Assert.True(StandardWebhooks.IsValid(secret, t)));
        Assert.All(tries, t => Assert.Equal(tries[0].Body, t.Body));

        var log = await WaitForLogAsync(organization, webhook.Id(), 4);
        var attempts = log.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(4, log.GetProperty("total").GetInt32());
        Assert.Equal([true, false, false, false], attempts.Select(a => a.GetProperty("succeeded").GetBoolean()));
        Assert.Equal([200, 500, 500, 500], attempts.Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.All(attempts, a => Assert.Equal(tries[0].Id, a.GetProperty("event_id").GetString()));
        Assert.Equal([4, 3, 2, 1], attempts.Select(a => a.GetProperty("attempt").GetInt32()));

        // A replay sends the same event again, with the same webhook-id.
        using var replay = await organization.Client.PostAsync($"/v1/webhooks/{webhook.Id()}/deliveries/{attempts[^1].Id()}/replay", null);
        var replayed = await ApiAssert.StatusAsync(replay, HttpStatusCode.Accepted);
        Assert.Equal(tries[0].Id, replayed.GetProperty("event_id").GetString());
        var again = await receiver.WaitForAsync(d => d.Count == 2, Arrival, "the replay");
        Assert.Equal(tries[0].Id, again[1].Id);
        Assert.Equal(tries[0].Body, again[1].Body);
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_each_request_for_a_day()
    {
        await using var receiver = new WebhookReceiver();
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = receiver.Url, Events = new[] { "contact.opted_in" } });
        var old = webhook.GetProperty("secret").GetString()!;

        using var rotate = await organization.Client.PostAsync($"/v1/webhooks/{webhook.Id()}/rotate_secret", null);
        var rotated = await ApiAssert.StatusAsync(rotate, HttpStatusCode.OK);
        var fresh = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(old, fresh);
        Assert.StartsWith("whsec_", fresh, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(fresh["whsec_".Length..]).Length >= 24);
        var expires = rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));

        // The secret is shown once: reading the endpoint never shows it.
        var shown = await organization.Client.GetOkAsync($"/v1/webhooks/{webhook.Id()}");
        Assert.False(shown.TryGetProperty("secret", out _));

        await organization.Client.CreateAsync("/v1/contacts", new { Email = MailDev.UniqueAddress("rotate"), OptInTo = new[] { new { Id = channelId } } });
        var delivered = (await receiver.WaitForAsync(d => d.Count == 1, Arrival, "contact.opted_in"))[0];

        Assert.Equal(2, delivered.Signature!.Split(' ').Length);
        Assert.Equal(1, StandardWebhooks.MatchingSignatures(old, delivered.Id, delivered.Timestamp, delivered.Body, delivered.Signature));
        Assert.Equal(1, StandardWebhooks.MatchingSignatures(fresh, delivered.Id, delivered.Timestamp, delivered.Body, delivered.Signature));
    }

    [Fact]
    public async Task Endpoints_are_listed_changed_and_deleted_within_the_organization_only()
    {
        var organization = await api.CreateOrganizationAsync();
        var other = await api.CreateOrganizationAsync();
        var webhook = await organization.Client.CreateAsync("/v1/webhooks", new { Url = "https://hooks.example.com/modular", Events = new[] { "message.sent", "message.failed" } });
        Assert.Equal(["message.failed", "message.sent"], webhook.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.True(webhook.GetProperty("enabled").GetBoolean());

        using (var foreign = await other.Client.GetAsync($"/v1/webhooks/{webhook.Id()}"))
        {
            await ApiAssert.ProblemAsync(foreign, HttpStatusCode.NotFound);
        }

        Assert.Equal(0, (await other.Client.GetOkAsync("/v1/webhooks")).GetProperty("total").GetInt32());
        Assert.Equal([webhook.Id()], (await organization.Client.GetOkAsync("/v1/webhooks")).Ids());

        using var patch = await organization.Client.PatchJsonAsync($"/v1/webhooks/{webhook.Id()}", new { Events = new[] { "*" }, Enabled = false, Url = "https://hooks.example.com/v2" });
        var changed = await ApiAssert.StatusAsync(patch, HttpStatusCode.OK);
        Assert.Equal(["*"], changed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.False(changed.GetProperty("enabled").GetBoolean());
        Assert.Equal("https://hooks.example.com/v2", changed.GetProperty("url").GetString());

        using (var foreignDelete = await other.Client.DeleteAsync($"/v1/webhooks/{webhook.Id()}"))
        {
            await ApiAssert.ProblemAsync(foreignDelete, HttpStatusCode.NotFound);
        }

        using var delete = await organization.Client.DeleteAsync($"/v1/webhooks/{webhook.Id()}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await organization.Client.GetAsync($"/v1/webhooks/{webhook.Id()}");
        await ApiAssert.ProblemAsync(gone, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not a url", "url")]
    [InlineData("ftp://hooks.example.com/x", "url")]
    [InlineData("/relative/path", "url")]
    [InlineData("https://user:password@hooks.example.com/x", "url")]
    [InlineData(null, "url")]
    public async Task A_url_that_is_not_absolute_http_without_user_info_is_422(string? url, string field)
    {
        var organization = await api.CreateOrganizationAsync();
        using var response = await organization.Client.PostJsonAsync("/v1/webhooks", new { Url = url, Events = new[] { "*" } });
        await ApiAssert.ValidationProblemAsync(response, field);
        Assert.Equal(0, (await organization.Client.GetOkAsync("/v1/webhooks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Unknown_or_missing_event_types_are_422()
    {
        var organization = await api.CreateOrganizationAsync();
        using var unknown = await organization.Client.PostJsonAsync("/v1/webhooks", new { Url = "https://hooks.example.com/x", Events = new[] { "message.sent", "message.exploded" } });
        var problem = await ApiAssert.ValidationProblemAsync(unknown, "events");
        Assert.Contains("message.exploded", problem.GetProperty("errors").GetProperty("events")[0].GetString(), StringComparison.Ordinal);

        using var none = await organization.Client.PostJsonAsync("/v1/webhooks", new { Url = "https://hooks.example.com/x", Events = Array.Empty<string>() });
        await ApiAssert.ValidationProblemAsync(none, "events");
        using var missing = await organization.Client.PostJsonAsync("/v1/webhooks", new { Url = "https://hooks.example.com/x" });
        await ApiAssert.ValidationProblemAsync(missing, "events");
    }

    [Fact]
    public async Task A_slow_receiver_times_out_a_huge_answer_is_read_only_in_part_and_a_redirect_is_a_failure_not_followed()
    {
        await using var slow = new WebhookReceiver { AnswerDelay = TimeSpan.FromSeconds(30) };
        await using var huge = new WebhookReceiver { Answer = (_, _) => 200, AnswerBody = new byte[8 * 1024 * 1024] };
        await using var target = new WebhookReceiver();
        await using var redirecting = new WebhookReceiver { Answer = (_, _) => 302, Location = target.Url };
        var organization = await api.CreateOrganizationAsync();
        var (channelId, _) = await organization.CreateChannelAsync();
        var ids = new Dictionary<string, long>();
        foreach (var (name, receiver) in new[] { ("slow", slow), ("huge", huge), ("redirecting", redirecting) })
        {
            ids[name] = (await organization.Client.CreateAsync("/v1/webhooks", new { receiver.Url, Events = new[] { "contact.opted_in" } })).Id();
        }

        System.Array.Fill(huge.AnswerBody!, (byte)'x');
        await organization.Client.CreateAsync("/v1/contacts", new { Email = MailDev.UniqueAddress("limits"), OptInTo = new[] { new { Id = channelId } } });

        var slowTry = (await WaitForLogAsync(organization, ids["slow"], 1)).GetProperty("data").EnumerateArray().Last();
        Assert.False(slowTry.GetProperty("succeeded").GetBoolean());
        Assert.Contains("No answer within 3 s", slowTry.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.InRange(slowTry.GetProperty("duration_ms").GetInt32(), 2900, 10_000);

        var hugeTry = (await WaitForLogAsync(organization, ids["huge"], 1)).GetProperty("data").EnumerateArray().Last();
        Assert.True(hugeTry.GetProperty("succeeded").GetBoolean());
        Assert.InRange(hugeTry.GetProperty("response").GetString()!.Length, 1, 1024);

        var redirected = (await WaitForLogAsync(organization, ids["redirecting"], 1)).GetProperty("data").EnumerateArray().Last();
        Assert.False(redirected.GetProperty("succeeded").GetBoolean());
        Assert.Equal(302, redirected.GetProperty("status_code").GetInt32());
        Assert.Contains("not followed", redirected.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(target.Received);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_event_type_and_its_payload()
    {
        using var response = await api.CreateAnonymousClient().GetAsync("/openapi/v1.json");
        var document = await ApiAssert.StatusAsync(response, HttpStatusCode.OK);

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("MessageEventData").GetProperty("properties").TryGetProperty("message_id", out _));
        Assert.True(schemas.GetProperty("ContactEventData").GetProperty("properties").TryGetProperty("contact_id", out _));
        Assert.True(schemas.GetProperty("WebhookEnvelope").GetProperty("properties").TryGetProperty("timestamp", out _));
        var webhooks = document.GetProperty("webhooks").EnumerateObject().Select(w => w.Name).Order();
        string[] types =
        [
            "contact.erased", "contact.opted_in", "contact.opted_out", "contact.unsubscribed", "message.blocked", "message.bounced", "message.canceled",
            "message.complained", "message.failed", "message.received", "message.sent", "message.uncertain",
        ];
        Assert.Equal(types, webhooks);
        Assert.True(schemas.GetProperty("MessageReportEventData").GetProperty("properties").TryGetProperty("permanent", out _));
    }

    private static async Task<JsonElement> WaitForLogAsync(TestOrganization organization, long webhookId, int attempts)
    {
        var deadline = DateTime.UtcNow + Arrival;
        while (true)
        {
            // The page, not the total: they are two queries, and a row committed between them shows in the total only.
            var log = await organization.Client.GetOkAsync($"/v1/webhooks/{webhookId}/deliveries");
            if (log.GetProperty("data").GetArrayLength() >= attempts || DateTime.UtcNow > deadline)
            {
                return log;
            }

            await Task.Delay(100);
        }
    }
}
