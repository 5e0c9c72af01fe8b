using Microsoft.Extensions.Logging;
using Modular.Application.Common.Events;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging;

/// <summary>
/// After a message is committed as due (queued, scheduled, rescheduled, retried), queues its delivery job.
/// If this fails the message row still says it is due, and the outbox sweeper queues it later.
/// </summary>
public sealed partial class DeliveryDueHandler(IDeliveryScheduler scheduler, ILogger<DeliveryDueHandler> logger)
    : DomainEventHandler<MessageDeliveryDue>
{
    protected override async Task HandleAsync(MessageDeliveryDue domainEvent, CancellationToken cancellationToken)
    {
        var message = domainEvent.Message;
        try
        {
            await scheduler.DispatchAsync(message.Id, message.DueAt, mayHaveScheduledJob: domainEvent.ReplacesSchedule, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogDispatchFailed(logger, exception, message.Id);
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Warning, Message = "Could not queue delivery of message {MessageId}; the outbox sweeper will")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, long messageId);
}

/// <summary>After a scheduled message is canceled, removes its pending job (the claim would refuse it anyway).</summary>
public sealed partial class MessageCanceledHandler(IDeliveryScheduler scheduler, ILogger<MessageCanceledHandler> logger)
    : DomainEventHandler<MessageCanceled>
{
    protected override async Task HandleAsync(MessageCanceled domainEvent, CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.WithdrawAsync(domainEvent.Message.Id, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogWithdrawFailed(logger, exception, domainEvent.Message.Id);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Could not remove the job of canceled message {MessageId}; it will do nothing when it runs")]
    private static partial void LogWithdrawFailed(ILogger logger, Exception exception, long messageId);
}
