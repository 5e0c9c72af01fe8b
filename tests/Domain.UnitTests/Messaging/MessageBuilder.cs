using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Messaging;

/// <summary>Builds outbound drafts and messages in any delivery status, through public methods only.</summary>
internal static class MessageBuilder
{
    /// <summary>When a message built by <see cref="InStatus"/> in <c>scheduled</c> becomes due.</summary>
    public static readonly DateTimeOffset ScheduledFor = Clock.Later(60);

    public static readonly Recipient Ann = new(RecipientKind.To, "ann@example.com", "Ann");

    public static OutboundDraft Draft() => new()
    {
        OrganizationId = 3,
        ConversationId = 5,
        ChannelId = 9,
        From = Addresses.MailboxOf("Acme Support <support@example.com>"),
        Recipients = [Ann],
        Subject = "Your order",
        TextBody = "Hello Ann",
        MessageIdHeader = "0001.abcd@example.com",
    };

    public static Message Create(OutboundDraft draft) => Message.CreateOutbound(draft, Clock.Now).Value;

    /// <summary>A message in <paramref name="status"/>, with no pending domain events.</summary>
    public static Message InStatus(DeliveryStatus status)
    {
        var message = status switch
        {
            DeliveryStatus.Scheduled => Scheduled(),
            DeliveryStatus.Queued => Create(Draft()),
            DeliveryStatus.Sending => Sending(),
            DeliveryStatus.Sent => Then(Sending(), m => m.MarkSent(Attempts.Sent(1), [], Clock.Now)),
            DeliveryStatus.Failed => Then(Sending(), m => m.MarkFailed(Attempts.Permanent(1), [], Clock.Now)),
            DeliveryStatus.Uncertain => Then(Sending(), m => m.MarkUncertain(Attempts.Uncertain(1), Clock.Now)),
            DeliveryStatus.Canceled => Then(Scheduled(), m => m.Cancel(Clock.Now)),
            DeliveryStatus.Blocked => Create(Draft() with
            {
                Recipients = [],
                ComplianceResults = [new ComplianceResult("ann@example.com", ComplianceResult.OptedOut)],
            }),
            DeliveryStatus.Received => Message.CreateInbound(
                new InboundDraft
                {
                    OrganizationId = 3,
                    ConversationId = 5,
                    ChannelId = 9,
                    From = Addresses.MailboxOf("Ann <ann@example.com>"),
                    Recipients = [],
                    Subject = "Re: Your order",
                    MessageIdHeader = "reply.0001@example.com",
                },
                contactId: 7,
                Clock.Now).Value,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "No way to build this status."),
        };

        Assert.Equal(status, message.Status);
        message.ClearDomainEvents();
        return message;
    }

    /// <summary>All delivery statuses but <paramref name="allowed"/>: the ones a move must refuse.</summary>
    public static TheoryData<DeliveryStatus> StatusesExcept(params DeliveryStatus[] allowed)
    {
        var data = new TheoryData<DeliveryStatus>();
        foreach (var status in Enum.GetValues<DeliveryStatus>().Except(allowed))
        {
            data.Add(status);
        }

        return data;
    }

    private static Message Scheduled() => Create(Draft() with { ScheduleAt = ScheduledFor });

    private static Message Sending() => Then(Create(Draft()), m => m.MarkSending(Clock.Now));

    private static Message Then(Message message, Func<Message, Result> move)
    {
        ResultAssert.Success(move(message));
        return message;
    }
}

/// <summary>Delivery attempts of each outcome.</summary>
internal static class Attempts
{
    public static DeliveryAttempt Sent(int number) =>
        new(number, Clock.Now, AttemptOutcome.Sent, DeliveryPhase.Completed, 250, "2.0.0 Ok: queued as 12345");

    public static DeliveryAttempt Transient(int number) =>
        new(number, Clock.Now, AttemptOutcome.Transient, DeliveryPhase.Envelope, 451, "4.7.1 Try again later");

    public static DeliveryAttempt Permanent(int number) =>
        new(number, Clock.Now, AttemptOutcome.Permanent, DeliveryPhase.Envelope, 550, "5.1.1 No such user");

    public static DeliveryAttempt Uncertain(int number) =>
        new(number, Clock.Now, AttemptOutcome.Uncertain, DeliveryPhase.Data, null, "Connection reset after DATA");
}

/// <summary>The delivery state of a message, to show a refused move changed nothing.</summary>
internal sealed record DeliveryState(
    DeliveryStatus Status,
    DateTimeOffset DueAt,
    DateTimeOffset? ScheduleAt,
    DateTimeOffset? SendingSince,
    DateTimeOffset? SentAt,
    string? Error,
    int AttemptCount,
    DateTimeOffset UpdatedAt,
    int EventCount)
{
    public static DeliveryState Of(Message message) => new(
        message.Status,
        message.DueAt,
        message.ScheduleAt,
        message.SendingSince,
        message.SentAt,
        message.Error,
        message.Attempts.Count,
        message.UpdatedAt,
        message.DomainEvents.Count);
}
