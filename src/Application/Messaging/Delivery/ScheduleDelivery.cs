using Microsoft.Extensions.Logging;
using Modular.Application.Common.Events;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// Step 0 of delivery: after a message is committed as due (accepted, scheduled, rescheduled, retried,
/// recovered), makes sure a delivery run will claim it: one now, or the run of its time slot. If this
/// fails, the message row still says it is due, and the sweeper's re-drive picks it up.
/// </summary>
public sealed partial class ScheduleDelivery(IDeliveryScheduler scheduler, TimeProvider clock, ILogger<ScheduleDelivery> logger)
    : DomainEventHandler<MessageDeliveryDue>
{
    protected override async Task HandleAsync(MessageDeliveryDue domainEvent, CancellationToken cancellationToken)
    {
        var message = domainEvent.Message;
        try
        {
            if (message.DueAt <= clock.GetUtcNow())
            {
                scheduler.RunNow();
            }
            else
            {
                await scheduler.EnsureSlotAsync(message.DueAt, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogScheduleFailed(logger, exception, message.Id);
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Warning, Message = "Could not ask for the delivery of message {MessageId}; the sweeper will")]
    private static partial void LogScheduleFailed(ILogger logger, Exception exception, long messageId);
}
