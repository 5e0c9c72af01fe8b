using Modular.Application.UnitTests.Common.Validation;
using Modular.Application.UnitTests.Support;
using Modular.Application.Webhooks;
using Modular.Application.Webhooks.CreateWebhook;
using Modular.Application.Webhooks.DispatchWebhooks;
using Modular.Application.Webhooks.Ports;
using Modular.Application.Webhooks.UpdateWebhook;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Messaging;
using Modular.Domain.Webhooks;

namespace Modular.Application.UnitTests.Webhooks;

public sealed class WebhookSigningTests
{
    [Fact]
    public void The_signature_matches_the_example_of_the_Standard_Webhooks_specification()
    {
        // The example of https://github.com/standard-webhooks/standard-webhooks (spec/standard-webhooks.md).
        var signature = WebhookSigning.Signature(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}");

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Two_secrets_give_two_space_separated_signatures()
    {
        var (a, b) = (WebhookSigning.NewSecret(), WebhookSigning.NewSecret());

        var signature = WebhookSigning.Signature([a, b], "evt_1", 1, "{}");

        Assert.Equal([WebhookSigning.Signature([a], "evt_1", 1, "{}"), WebhookSigning.Signature([b], "evt_1", 1, "{}")], signature.Split(' '));
    }

    [Fact]
    public void A_new_secret_is_whsec_and_the_base64_of_32_random_bytes()
    {
        var secret = WebhookSigning.NewSecret();

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookSigning.NewSecret());
    }
}

[Collection(GlobalValidatorOptions.Name)]
public sealed class WebhookValidatorTests
{
    [Theory]
    [InlineData("https://hooks.example.com/x")]
    [InlineData("http://hooks.example.com:8080/x?y=1")]
    public void An_absolute_http_url_with_known_events_is_valid(string url) =>
        ValidationAssert.Valid(new CreateWebhookValidator().Validate(new CreateWebhookCommand(url, ["message.sent"], null)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hooks.example.com/x")]
    [InlineData("/x")]
    [InlineData("ftp://hooks.example.com/x")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://user:secret@hooks.example.com/x")]
    [InlineData("https://hooks.example.com/x#fragment")]
    public void Other_urls_are_refused(string? url) =>
        ValidationAssert.FailsOnlyOn(new CreateWebhookValidator().Validate(new CreateWebhookCommand(url, ["*"], null)), "Url");

    [Fact]
    public void A_url_longer_than_2000_characters_is_refused() =>
        ValidationAssert.FailsOnlyOn(new CreateWebhookValidator().Validate(new CreateWebhookCommand("https://hooks.example.com/" + new string('a', 1980), ["*"], null)), "Url");

    [Fact]
    public void Events_are_required_and_known()
    {
        ValidationAssert.FailsOnlyOn(new CreateWebhookValidator().Validate(new CreateWebhookCommand("https://h.example.com/", null, null)), "Events");
        ValidationAssert.FailsOnlyOn(new CreateWebhookValidator().Validate(new CreateWebhookCommand("https://h.example.com/", [], null)), "Events");
        ValidationAssert.FailsOnlyOn(new CreateWebhookValidator().Validate(new CreateWebhookCommand("https://h.example.com/", ["message.nope"], null)), "Events");
    }

    [Fact]
    public void An_update_changes_only_what_is_given_and_checks_it()
    {
        var validator = new UpdateWebhookValidator();
        ValidationAssert.Valid(validator.Validate(new UpdateWebhookCommand(1, null, null, null, null)));
        ValidationAssert.FailsOnlyOn(validator.Validate(new UpdateWebhookCommand(1, "ftp://x.example.com", null, null, true)), "Url");
        ValidationAssert.FailsOnlyOn(validator.Validate(new UpdateWebhookCommand(1, null, ["nope"], null, null)), "Events");
    }
}

public sealed class WebhookDispatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_success_resets_the_failure_count_and_events_given_up_after_it_count()
    {
        var health = DispatchWebhooksHandler.HealthOf([GaveUp(1), Succeeded(1), GaveUp(1), GaveUp(1), Retried(2), GaveUp(2)]);

        Assert.Equal(new EndpointHealthChange(1, true, 2, "HTTP 500"), health.Single(h => h.EndpointId == 1));
        Assert.Equal(new EndpointHealthChange(2, false, 1, "HTTP 500"), health.Single(h => h.EndpointId == 2));
    }

    [Fact]
    public void Retries_follow_the_schedule_for_more_than_a_day_then_stop()
    {
        var policy = new WebhookPolicy();

        var total = TimeSpan.Zero;
        var attempts = 1;
        while (policy.NextAttemptAt(attempts, Now) is { } next)
        {
            total += next - Now;
            attempts++;
        }

        Assert.True(total >= TimeSpan.FromHours(24), $"Retries cover only {total}.");
        Assert.Equal(Now + TimeSpan.FromSeconds(5), policy.NextAttemptAt(1, Now));
        Assert.Equal(8, attempts);
    }

    [Fact]
    public void A_redirect_is_a_failure() =>
        Assert.False(new WebhookHttpOutcome(302, TimeSpan.Zero, null, "Redirect").Succeeded);

    private static WebhookAttemptResult Succeeded(long endpoint) => Result(endpoint, 200, null);

    private static WebhookAttemptResult GaveUp(long endpoint) => Result(endpoint, 500, null);

    private static WebhookAttemptResult Retried(long endpoint) => Result(endpoint, 500, Now.AddMinutes(5));

    private static WebhookAttemptResult Result(long endpoint, int status, DateTimeOffset? retryAt) => new(
        new ClaimedWebhookDelivery(1, 1, endpoint, 1, "evt_1", "message.sent", "{}", 0, "https://h.example.com", ["s"]),
        new WebhookHttpOutcome(status, TimeSpan.FromMilliseconds(3), null, null),
        Now,
        retryAt);
}

public sealed class WebhookOutboxMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Every_known_event_type_has_a_domain_event_and_others_are_not_published()
    {
        var message = Blocked();
        var contact = Contact.Create(1, EmailAddress.Parse("ann@example.com", "email").Value, "Ann", Now).Value;
        IDomainEvent[] events =
        [
            new MessageSent(message, Now), new MessageFailed(message, Now), new MessageUncertain(message, Now),
            new MessageBlocked(message, Now), new MessageCanceled(message, Now),
            new MessageReceived(message, 9), new MessageBounced(message, "ann@example.com", "5.1.1", "550 no such user", true, Now),
            new MessageComplained(message, "ann@example.com", "abuse", Now),
            new ContactOptedIn(contact, 3, ConsentSource.Api, Now), new ContactOptedOut(contact, 3, ConsentSource.Api, Now),
            new ContactUnsubscribed(contact, 3, 42, ConsentSource.UnsubscribeLink, Now),
            new ContactErased(contact.Id, Now),
        ];

        var types = events.Select(e => WebhookOutbox.Map(e, new Dictionary<long, long?>())!.Type);

        Assert.Equal(WebhookEventTypes.Known.Order(), types.Order());
        Assert.All(events, e => Assert.True(WebhookOutbox.IsPublished(e), $"{e.GetType().Name} is published"));
        Assert.Null(WebhookOutbox.Map(new MessageDeliveryDue(message), new Dictionary<long, long?>()));
        Assert.False(WebhookOutbox.IsPublished(new MessageDeliveryDue(message)));
    }

    [Fact]
    public void An_erasure_event_carries_only_the_contacts_id_and_the_time()
    {
        var mapped = WebhookOutbox.Map(new ContactErased(42, Now), new Dictionary<long, long?>())!;

        Assert.Equal("contact.erased", mapped.Type);
        Assert.Equal("contact:42", mapped.OrderingKey);
        Assert.Equal(
            """{"contact_id":42,"erased_at":"2026-12-01T09:00:00+00:00"}""",
            System.Text.Json.JsonSerializer.Serialize(mapped.Data, WebhookOutbox.Json));
    }

    [Fact]
    public void A_bounce_names_the_message_its_conversation_contact_and_what_the_report_said()
    {
        var message = Blocked();

        var mapped = WebhookOutbox.Map(
            new MessageBounced(message, "ann@example.com", "5.1.1", "550 no such user", true, Now), new Dictionary<long, long?> { [message.ConversationId] = 77 })!;
        var data = Assert.IsType<MessageReportEventData>(mapped.Data);

        Assert.Equal(("message.bounced", WebhookOutbox.MessageOrderingKey(message.Id), Now), (mapped.Type, mapped.OrderingKey, mapped.At));
        Assert.Equal((message.Id, 2L, (long?)77, 3L), (data.MessageId, data.ConversationId, data.ContactId, data.ChannelId));
        Assert.Equal(("ann@example.com", "5.1.1", "550 no such user", true, (string?)null), (data.Recipient, data.Status, data.Diagnostic, data.Permanent, data.FeedbackType));
    }

    [Fact]
    public void An_unsubscription_names_its_source_and_message()
    {
        var contact = Contact.Create(1, EmailAddress.Parse("ann@example.com", "email").Value, "Ann", Now).Value;

        var mapped = WebhookOutbox.Map(new ContactUnsubscribed(contact, 3, 42, ConsentSource.UnsubscribeLink, Now), new Dictionary<long, long?>())!;
        var data = Assert.IsType<ContactEventData>(mapped.Data);

        Assert.Equal("contact.unsubscribed", mapped.Type);
        Assert.Equal(("opted_out", "unsubscribe_link", (long?)42, 3L), (data.State, data.Source, data.MessageId, data.ChannelId));
    }

    [Fact]
    public void A_message_event_carries_its_ids_recipient_reason_and_the_conversations_contact()
    {
        var message = Blocked();

        var mapped = WebhookOutbox.Map(new MessageBlocked(message, Now), new Dictionary<long, long?> { [message.ConversationId] = 77 })!;
        var data = Assert.IsType<MessageEventData>(mapped.Data);

        Assert.Equal("message.blocked", mapped.Type);
        Assert.Equal(WebhookOutbox.MessageOrderingKey(message.Id), mapped.OrderingKey);
        Assert.Equal(77, data.ContactId);
        Assert.Equal(2, data.ConversationId);
        Assert.Equal(3, data.ChannelId);
        Assert.Equal("blocked", data.Status);
        Assert.Equal("opted_out", Assert.Single(data.ComplianceResults).Reason);
        Assert.Contains("opted_out", data.Reason, StringComparison.Ordinal);
        Assert.Null(data.SmtpReply);
    }

    private static Message Blocked() => Message.CreateOutbound(new OutboundDraft
    {
        OrganizationId = 1,
        ConversationId = 2,
        ChannelId = 3,
        From = Mailbox.Parse("support@acme.example.com", "from").Value,
        Recipients = [],
        ComplianceResults = [new ComplianceResult("ann@example.com", ComplianceResult.OptedOut)],
        Subject = "Hi",
        TextBody = "Hi",
        MessageIdHeader = "m1@acme.example.com",
    }, Now).Value;
}
