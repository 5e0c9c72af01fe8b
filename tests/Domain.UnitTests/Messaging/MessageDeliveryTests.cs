using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Messaging;

/// <summary>Every allowed move of the delivery status machine.</summary>
public sealed class MessageDeliveryTests
{
    [Fact]
    public void Queued_message_can_be_claimed_for_sending()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Queued);

        ResultAssert.Success(message.MarkSending(Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Sending, message.Status);
        Assert.Equal(Clock.Later(1), message.SendingSince);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Empty(message.DomainEvents);
    }

    [Fact]
    public void Queued_message_can_be_claimed_exactly_when_due()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Queued);

        ResultAssert.Success(message.MarkSending(message.DueAt));

        Assert.Equal(DeliveryStatus.Sending, message.Status);
    }

    [Fact]
    public void Scheduled_message_can_be_claimed_once_due()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.MarkSending(MessageBuilder.ScheduledFor));

        Assert.Equal(DeliveryStatus.Sending, message.Status);
        Assert.Equal(MessageBuilder.ScheduledFor, message.SendingSince);
    }

    [Fact]
    public void Scheduled_message_can_be_claimed_after_its_time()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.MarkSending(MessageBuilder.ScheduledFor.AddHours(1)));

        Assert.Equal(DeliveryStatus.Sending, message.Status);
    }

    [Fact]
    public void Scheduled_message_is_not_claimed_before_it_is_due()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);
        var before = DeliveryState.Of(message);

        var error = ResultAssert.Conflict(message.MarkSending(MessageBuilder.ScheduledFor.AddSeconds(-1)), "message.not_due");

        Assert.Contains(MessageBuilder.ScheduledFor.ToString("O"), error.Message, StringComparison.Ordinal);
        Assert.Equal(before, DeliveryState.Of(message));
    }

    [Fact]
    public void Message_queued_for_a_retry_is_not_claimed_before_the_retry_time()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        ResultAssert.Success(message.MarkTransientFailure(Attempts.Transient(1), [], Clock.Later(5), Clock.Now));
        var before = DeliveryState.Of(message);

        ResultAssert.Conflict(message.MarkSending(Clock.Later(4)), "message.not_due");

        Assert.Equal(before, DeliveryState.Of(message));
        ResultAssert.Success(message.MarkSending(Clock.Later(5)));
        Assert.Equal(DeliveryStatus.Sending, message.Status);
    }

    [Fact]
    public void Sending_message_is_marked_sent_with_its_attempt()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        var attempt = Attempts.Sent(1);

        ResultAssert.Success(message.MarkSent(attempt, [], Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Sent, message.Status);
        Assert.Equal(Clock.Later(1), message.SentAt);
        Assert.Null(message.SendingSince);
        Assert.Null(message.Error);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Equal([attempt], message.Attempts);
        Assert.Same(message, Assert.IsType<MessageSent>(Assert.Single(message.DomainEvents)).Message);
    }

    [Fact]
    public void Sent_message_forgets_the_error_of_an_earlier_attempt()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        ResultAssert.Success(message.MarkTransientFailure(Attempts.Transient(1), [], Clock.Now, Clock.Now));
        ResultAssert.Success(message.MarkSending(Clock.Later(1)));

        ResultAssert.Success(message.MarkSent(Attempts.Sent(2), [], Clock.Later(2)));

        Assert.Null(message.Error);
        Assert.Equal([1, 2], message.Attempts.Select(a => a.Number));
    }

    [Fact]
    public void Transient_failure_with_a_retry_left_queues_the_message_again()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        var attempt = Attempts.Transient(1);

        ResultAssert.Success(message.MarkTransientFailure(attempt, [], Clock.Later(5), Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Later(5), message.DueAt);
        Assert.Null(message.SendingSince);
        Assert.Null(message.SentAt);
        Assert.Equal("Envelope: 451 4.7.1 Try again later", message.Error);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Equal([attempt], message.Attempts);
        var due = Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
        Assert.Same(message, due.Message);
        Assert.False(message.IsDue(Clock.Later(4)));
        Assert.True(message.IsDue(Clock.Later(5)));
    }

    [Fact]
    public void Transient_failure_without_a_retry_left_fails_the_message()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        var dueBefore = message.DueAt;
        var attempt = Attempts.Transient(3);

        ResultAssert.Success(message.MarkTransientFailure(attempt, [], null, Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Failed, message.Status);
        Assert.Equal(dueBefore, message.DueAt);
        Assert.Null(message.SendingSince);
        Assert.Equal("Envelope: 451 4.7.1 Try again later", message.Error);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Equal([attempt], message.Attempts);
        Assert.Same(message, Assert.IsType<MessageFailed>(Assert.Single(message.DomainEvents)).Message);
    }

    [Fact]
    public void Permanent_failure_fails_the_message_at_once()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        var attempt = Attempts.Permanent(1);

        ResultAssert.Success(message.MarkFailed(attempt, [], Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Failed, message.Status);
        Assert.Equal("Envelope: 550 5.1.1 No such user", message.Error);
        Assert.Null(message.SendingSince);
        Assert.Null(message.SentAt);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Equal([attempt], message.Attempts);
        Assert.Same(message, Assert.IsType<MessageFailed>(Assert.Single(message.DomainEvents)).Message);
    }

    [Fact]
    public void Broken_connection_after_handing_over_makes_the_message_uncertain()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        var attempt = Attempts.Uncertain(1);

        ResultAssert.Success(message.MarkUncertain(attempt, Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Uncertain, message.Status);
        Assert.Equal("Data: Connection reset after DATA", message.Error);
        Assert.Null(message.SendingSince);
        Assert.Null(message.SentAt);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Equal([attempt], message.Attempts);
        Assert.Same(message, Assert.IsType<MessageUncertain>(Assert.Single(message.DomainEvents)).Message);
        Assert.False(message.IsDue(Clock.Later(60 * 24)));
    }

    [Fact]
    public void A_claim_abandoned_after_its_handover_makes_the_message_uncertain_without_an_attempt()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);

        ResultAssert.Success(message.MarkHandover(Clock.Later(10)));
        ResultAssert.Success(message.RecoverAbandonedClaim(Clock.Later(30)));

        Assert.Equal(DeliveryStatus.Uncertain, message.Status);
        Assert.StartsWith("Delivery was interrupted after its SMTP transaction started", message.Error, StringComparison.Ordinal);
        Assert.Null(message.HandoverAt);
        Assert.Null(message.SendingSince);
        Assert.Null(message.SentAt);
        Assert.Equal(Clock.Later(30), message.UpdatedAt);
        Assert.Empty(message.Attempts);
        Assert.Same(message, Assert.IsType<MessageUncertain>(Assert.Single(message.DomainEvents)).Message);
    }

    [Theory]
    [InlineData(DeliveryPhase.Connect, null, "Connection refused", "Connect: Connection refused")]
    [InlineData(DeliveryPhase.Authenticate, 535, "Authentication failed", "Authenticate: 535 Authentication failed")]
    [InlineData(DeliveryPhase.Data, 452, null, "Data: 452")]
    [InlineData(DeliveryPhase.Attachments, null, null, "Attachments:")]
    public void Failure_error_names_the_phase_and_the_reply(DeliveryPhase phase, int? code, string? text, string expected)
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);

        ResultAssert.Success(message.MarkFailed(new DeliveryAttempt(1, Clock.Now, AttemptOutcome.Permanent, phase, code, text), [], Clock.Now));

        Assert.Equal(expected, message.Error);
    }

    [Fact]
    public void Scheduled_message_can_be_canceled()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.Cancel(Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Canceled, message.Status);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.Same(message, Assert.IsType<MessageCanceled>(Assert.Single(message.DomainEvents)).Message);
        Assert.False(message.IsDue(MessageBuilder.ScheduledFor));
    }

    [Fact]
    public void Scheduled_message_can_be_moved_to_another_future_time()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.Reschedule(Clock.Later(120), Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Scheduled, message.Status);
        Assert.Equal(Clock.Later(120), message.ScheduleAt);
        Assert.Equal(Clock.Later(120), message.DueAt);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        var due = Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
        Assert.Same(message, due.Message);
    }

    [Fact]
    public void Scheduled_message_can_be_moved_earlier()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.Reschedule(Clock.Later(10), Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Scheduled, message.Status);
        Assert.Equal(Clock.Later(10), message.DueAt);
        Assert.False(message.IsDue(Clock.Later(9)));
        Assert.True(message.IsDue(Clock.Later(10)));
    }

    [Fact]
    public void Rescheduling_to_a_past_time_queues_the_message_now()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.Reschedule(Clock.Earlier(10), Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Earlier(10), message.ScheduleAt);
        Assert.Equal(Clock.Later(1), message.DueAt);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
        Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
        Assert.True(message.IsDue(Clock.Later(1)));
    }

    [Fact]
    public void Rescheduling_to_the_current_time_queues_the_message()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);

        ResultAssert.Success(message.Reschedule(Clock.Later(1), Clock.Later(1)));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Later(1), message.DueAt);
    }

    [Theory]
    [InlineData(DeliveryStatus.Uncertain)]
    [InlineData(DeliveryStatus.Failed)]
    public void Operator_can_retry_an_uncertain_or_failed_message(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);
        var attempts = message.Attempts.ToList();

        ResultAssert.Success(message.Retry(Clock.Later(90)));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Later(90), message.DueAt);
        Assert.Null(message.Error);
        Assert.Equal(Clock.Later(90), message.UpdatedAt);
        Assert.Equal(attempts, message.Attempts);
        var due = Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
        Assert.Same(message, due.Message);
        Assert.True(message.IsDue(Clock.Later(90)));
    }

    [Fact]
    public void Interrupted_message_can_be_retried_by_an_operator()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sending);
        ResultAssert.Success(message.MarkHandover(Clock.Later(10)));
        ResultAssert.Success(message.RecoverAbandonedClaim(Clock.Later(30)));

        ResultAssert.Success(message.Retry(Clock.Later(40)));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
    }

    [Fact]
    public void Scheduled_message_goes_through_retries_to_sent()
    {
        var message = MessageBuilder.Create(MessageBuilder.Draft() with { ScheduleAt = Clock.Later(10) });

        ResultAssert.Success(message.MarkSending(Clock.Later(10)));
        ResultAssert.Success(message.MarkTransientFailure(Attempts.Transient(1), [], Clock.Later(11), Clock.Later(10)));
        ResultAssert.Success(message.MarkSending(Clock.Later(11)));
        ResultAssert.Success(message.MarkTransientFailure(Attempts.Transient(2), [], Clock.Later(13), Clock.Later(11)));
        ResultAssert.Success(message.MarkSending(Clock.Later(13)));
        ResultAssert.Success(message.MarkSent(Attempts.Sent(3), [], Clock.Later(13)));

        Assert.Equal(DeliveryStatus.Sent, message.Status);
        Assert.Equal(Clock.Later(13), message.SentAt);
        Assert.Equal([1, 2, 3], message.Attempts.Select(a => a.Number));
        Assert.Equal(
            [AttemptOutcome.Transient, AttemptOutcome.Transient, AttemptOutcome.Sent],
            message.Attempts.Select(a => a.Outcome));
        Assert.Equal(4, message.DomainEvents.Count);
        Assert.All(message.DomainEvents.Take(3), e => Assert.Same(message, Assert.IsType<MessageDeliveryDue>(e).Message));
        Assert.Equal(new MessageSent(message, Clock.Later(13)), message.DomainEvents[3]);
        Assert.False(message.IsDue(Clock.Later(100)));
    }

    [Fact]
    public void Retried_message_goes_back_through_sending()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Uncertain);
        ResultAssert.Success(message.Retry(Clock.Later(1)));

        ResultAssert.Success(message.MarkSending(Clock.Later(1)));
        ResultAssert.Success(message.MarkSent(Attempts.Sent(2), [], Clock.Later(2)));

        Assert.Equal(DeliveryStatus.Sent, message.Status);
        Assert.Equal([AttemptOutcome.Uncertain, AttemptOutcome.Sent], message.Attempts.Select(a => a.Outcome));
    }

    [Fact]
    public void Envelope_recipients_include_To_Cc_and_Bcc()
    {
        Recipient[] recipients =
        [
            new(RecipientKind.To, "ann@example.com"),
            new(RecipientKind.Cc, "bob@example.com"),
            new(RecipientKind.Bcc, "audit@example.com"),
        ];

        var message = MessageBuilder.Create(MessageBuilder.Draft() with { Recipients = recipients });

        Assert.Equal(recipients, message.EnvelopeRecipients);
    }
}
