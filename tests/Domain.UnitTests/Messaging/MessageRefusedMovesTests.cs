using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Messaging;

/// <summary>
/// Every refused move of the delivery status machine: each theory runs over every status the move
/// does not start from, so a new status or a loosened rule shows up here.
/// </summary>
public sealed class MessageRefusedMovesTests
{
    /// <summary>Late enough that a scheduled message is due: only the status decides.</summary>
    private static readonly DateTimeOffset Later = MessageBuilder.ScheduledFor.AddHours(1);

    public static TheoryData<DeliveryStatus> NotQueuedOrScheduled =>
        MessageBuilder.StatusesExcept(DeliveryStatus.Queued, DeliveryStatus.Scheduled);

    public static TheoryData<DeliveryStatus> NotSending => MessageBuilder.StatusesExcept(DeliveryStatus.Sending);

    public static TheoryData<DeliveryStatus> NotScheduled => MessageBuilder.StatusesExcept(DeliveryStatus.Scheduled);

    public static TheoryData<DeliveryStatus> NotUncertainOrFailed =>
        MessageBuilder.StatusesExcept(DeliveryStatus.Uncertain, DeliveryStatus.Failed);

    public static TheoryData<DeliveryStatus> AllStatuses => MessageBuilder.StatusesExcept();

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void Builder_reaches_every_status(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);

        Assert.Equal(status, message.Status);
        Assert.Empty(message.DomainEvents);
    }

    [Theory]
    [MemberData(nameof(NotQueuedOrScheduled))]
    public void Only_a_queued_or_scheduled_message_can_be_claimed_for_sending(DeliveryStatus status)
    {
        AssertRefused(status, m => m.MarkSending(Later), "sending");
    }

    [Theory]
    [MemberData(nameof(NotSending))]
    public void Only_a_sending_message_can_be_marked_sent(DeliveryStatus status)
    {
        AssertRefused(status, m => m.MarkSent(Attempts.Sent(9), [], Later), "sent");
    }

    [Theory]
    [MemberData(nameof(NotSending))]
    public void Only_a_sending_message_can_be_queued_again_after_a_transient_failure(DeliveryStatus status)
    {
        AssertRefused(status, m => m.MarkTransientFailure(Attempts.Transient(9), [], Later.AddMinutes(5), Later), "queued");
    }

    [Theory]
    [MemberData(nameof(NotSending))]
    public void Only_a_sending_message_can_fail_after_its_last_transient_failure(DeliveryStatus status)
    {
        AssertRefused(status, m => m.MarkTransientFailure(Attempts.Transient(9), [], null, Later), "failed");
    }

    [Theory]
    [MemberData(nameof(NotSending))]
    public void Only_a_sending_message_can_be_marked_failed(DeliveryStatus status)
    {
        AssertRefused(status, m => m.MarkFailed(Attempts.Permanent(9), [], Later), "failed");
    }

    [Theory]
    [MemberData(nameof(NotSending))]
    public void Only_a_sending_message_can_be_marked_uncertain(DeliveryStatus status)
    {
        AssertRefused(status, m => m.MarkUncertain(Attempts.Uncertain(9), Later), "uncertain");
    }

    [Theory]
    [MemberData(nameof(NotSending))]
    public void Only_a_sending_message_can_be_marked_interrupted(DeliveryStatus status)
    {
        AssertRefused(status, m => m.RecoverAbandonedClaim(Later), "recovered");
    }

    [Theory]
    [MemberData(nameof(NotScheduled))]
    public void Only_a_scheduled_message_can_be_canceled(DeliveryStatus status)
    {
        var error = AssertRefused(status, m => m.Cancel(Later), "message.not_scheduled");

        Assert.Contains("only a scheduled message can be canceled", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotScheduled))]
    public void Only_a_scheduled_message_can_be_rescheduled_to_the_future(DeliveryStatus status)
    {
        var error = AssertRefused(status, m => m.Reschedule(Later.AddHours(1), Later), "message.not_scheduled");

        Assert.Contains("only a scheduled message can be rescheduled", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotScheduled))]
    public void Only_a_scheduled_message_can_be_rescheduled_to_the_past(DeliveryStatus status)
    {
        AssertRefused(status, m => m.Reschedule(Clock.Earlier(10), Later), "message.not_scheduled");
    }

    [Theory]
    [MemberData(nameof(NotUncertainOrFailed))]
    public void Only_an_uncertain_or_failed_message_can_be_retried(DeliveryStatus status)
    {
        var error = AssertRefused(status, m => m.Retry(Later), "message.not_retryable");

        Assert.Contains("only an uncertain or failed message can be retried", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sent_message_is_never_sent_again()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Sent);

        ResultAssert.Conflict(message.MarkSending(Later), "message.invalid_transition");
        ResultAssert.Conflict(message.Retry(Later), "message.not_retryable");

        Assert.Equal(DeliveryStatus.Sent, message.Status);
        Assert.False(message.IsDue(Later));
    }

    [Fact]
    public void Canceled_message_cannot_be_canceled_twice()
    {
        var message = MessageBuilder.InStatus(DeliveryStatus.Scheduled);
        ResultAssert.Success(message.Cancel(Clock.Later(1)));
        message.ClearDomainEvents();

        ResultAssert.Conflict(message.Cancel(Clock.Later(2)), "message.not_scheduled");

        Assert.Empty(message.DomainEvents);
        Assert.Equal(Clock.Later(1), message.UpdatedAt);
    }

    [Theory]
    [MemberData(nameof(NotQueuedOrScheduled))]
    public void Only_a_queued_or_scheduled_message_is_ever_due(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);

        Assert.False(message.IsDue(DateTimeOffset.MaxValue));
    }

    [Theory]
    [InlineData(DeliveryStatus.Queued)]
    [InlineData(DeliveryStatus.Scheduled)]
    public void Queued_or_scheduled_message_is_due_from_its_due_time(DeliveryStatus status)
    {
        var message = MessageBuilder.InStatus(status);

        Assert.False(message.IsDue(message.DueAt.AddTicks(-1)));
        Assert.True(message.IsDue(message.DueAt));
        Assert.True(message.IsDue(DateTimeOffset.MaxValue));
    }

    /// <summary>
    /// Builds a message in <paramref name="status"/>, applies <paramref name="move"/> and checks it was
    /// refused as a conflict that changed nothing.
    /// </summary>
    private static Error AssertRefused(DeliveryStatus status, Func<Message, Result> move, string target)
    {
        var message = MessageBuilder.InStatus(status);
        var before = DeliveryState.Of(message);

        var result = move(message);

        Error error;
        if (target.StartsWith("message.", StringComparison.Ordinal))
        {
            error = ResultAssert.Conflict(result, target);
        }
        else
        {
            error = ResultAssert.Conflict(result, "message.invalid_transition");
            Assert.Equal($"Message 0 cannot become {target} while it is {Message.Format(status)}.", error.Message);
        }

        Assert.Contains(Message.Format(status), error.Message, StringComparison.Ordinal);
        Assert.Equal(before, DeliveryState.Of(message));
        return error;
    }
}
