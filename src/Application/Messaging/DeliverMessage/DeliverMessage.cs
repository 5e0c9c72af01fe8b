using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.DeliverMessage;

/// <summary>
/// Delivers one message. Sent by the delivery jobs with the message id only; safe to run any number of
/// times. Not a command of the unit-of-work pipeline: it commits twice on purpose, first its claim on
/// the message (so no other run can send it) and then the outcome. The caller waits for the due time: a
/// message not due yet is skipped.
/// </summary>
public sealed record DeliverMessageCommand(long MessageId) : IRequest<DeliveryResult>;

public enum DeliveryResult
{
    /// <summary>Handed to the server and accepted.</summary>
    Sent,

    /// <summary>Failed for now; queued again for a later attempt.</summary>
    Retrying,

    /// <summary>Failed for good (a permanent reply, or no retry left).</summary>
    Failed,

    /// <summary>The connection broke after the whole message was handed over.</summary>
    Uncertain,

    /// <summary>Nothing to do: already sent, canceled, not due, gone, or another run holds it.</summary>
    Skipped,
}

public sealed class DeliverMessageHandler(
    IRepository<Message> messages,
    IRepository<Channel> channels,
    IUnitOfWork unitOfWork,
    MessageDelivery delivery,
    DeliverySlots slots,
    DeliveryPolicy policy,
    TimeProvider clock) : IRequestHandler<DeliverMessageCommand, DeliveryResult>
{
    public async ValueTask<DeliveryResult> Handle(DeliverMessageCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.MessageId), cancellationToken);
        if (message is null)
        {
            return DeliveryResult.Skipped;
        }

        var mine = await ClaimAsync(message, cancellationToken);
        if (!mine)
        {
            return DeliveryResult.Skipped;
        }

        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(message.ChannelId), cancellationToken)
            ?? throw new InvalidOperationException($"Channel {message.ChannelId} of message {message.Id} is missing.");

        var attempted = await slots.RunAsync(() => delivery.AttemptAsync(message, channel, cancellationToken));
        var result = delivery.Record(message, attempted);

        // The outcome is saved even if the job is being stopped: the email has left (or not) already.
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        return result;
    }
    /// <summary>Moves the message to <c>sending</c> and commits; false when this run must not send it.</summary>
    private async Task<bool> ClaimAsync(Message message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (message.Status == DeliveryStatus.Sending)
        {
            // Another run holds it, or held it and died: after the claim timeout nobody knows whether
            // the server got it, so it becomes uncertain rather than risking a duplicate.
            if (message.SendingSince + policy.ClaimTimeout < now && message.MarkInterrupted(now).IsSuccess)
            {
                await TrySaveAsync(cancellationToken);
            }

            return false;
        }

        // Not queued or scheduled, or not due yet (a job of an older schedule; or a retry the batch
        // queued again for later, which a job of its own delivers): not this run's.
        return message.MarkSending(now).IsSuccess && await TrySaveAsync(cancellationToken);
    }

    private async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            // Another run changed the row since it was read: it owns the message now.
            return false;
        }
    }
}
