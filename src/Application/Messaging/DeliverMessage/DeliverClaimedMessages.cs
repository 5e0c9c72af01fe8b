using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.DeliverMessage;

/// <summary>
/// Delivers messages a batch claim has moved to <c>sending</c>, all of one organization: one read of the
/// messages, one of their channels, the attempts side by side (within the process's
/// <see cref="DeliverySlots"/>), and one save of every outcome. If that save fails, nothing of the
/// batch is lost: the exception carries each attempt's outcome, for the caller to record one by one
/// (<see cref="RecordDeliveryOutcomeCommand"/>).
/// </summary>
public sealed record DeliverClaimedMessagesCommand(IReadOnlyList<long> MessageIds) : IRequest<IReadOnlyList<DeliveredMessage>>;

/// <summary>What became of one message of a batch, and the reason recorded when it failed.</summary>
public sealed record DeliveredMessage(long MessageId, DeliveryResult Result, string? Error);

/// <summary>The batch's outcomes could not be saved together; each is in <see cref="Attempts"/>.</summary>
public sealed class DeliveryOutcomesNotSavedException(IReadOnlyList<AttemptedDelivery> attempts, Exception inner)
    : Exception($"The outcomes of {attempts.Count} deliveries could not be saved together.", inner)
{
    public IReadOnlyList<AttemptedDelivery> Attempts { get; } = attempts;
}

public sealed partial class DeliverClaimedMessagesHandler(
    IRepository<Message> messages,
    IRepository<Channel> channels,
    IUnitOfWork unitOfWork,
    MessageDelivery delivery,
    DeliverySlots slots,
    ILogger<DeliverClaimedMessagesHandler> logger) : IRequestHandler<DeliverClaimedMessagesCommand, IReadOnlyList<DeliveredMessage>>
{
    public async ValueTask<IReadOnlyList<DeliveredMessage>> Handle(DeliverClaimedMessagesCommand command, CancellationToken cancellationToken)
    {
        // Only rows still in sending are this batch's: anything else was settled by someone else.
        var claimed = (await messages.ListAsync(new ByIdsSpec<Message>(command.MessageIds), CancellationToken.None))
            .Where(m => m.Status == DeliveryStatus.Sending)
            .ToList();
        var channelIds = claimed.Select(m => m.ChannelId).Distinct().ToList();
        var channelsById = (await channels.ListAsync(new ByIdsSpec<Channel>(channelIds), CancellationToken.None))
            .ToDictionary(c => c.Id);

        // Once claimed, every message is attempted and its outcome saved, even if the job is asked to
        // stop: a claim left behind would only turn into an uncertain message later. The attempts touch
        // no database; the outcomes are written on the messages afterwards, one at a time.
        var outcomes = await Task.WhenAll(claimed.Select(message => slots.RunAsync(() =>
            TryAttemptAsync(message, channelsById.GetValueOrDefault(message.ChannelId)))));

        var attempted = outcomes.OfType<AttemptedDelivery>().ToList();
        var byId = claimed.ToDictionary(m => m.Id);
        var results = new List<DeliveredMessage>(attempted.Count);
        try
        {
            foreach (var attempt in attempted)
            {
                var message = byId[attempt.MessageId];
                results.Add(new DeliveredMessage(message.Id, delivery.Record(message, attempt), message.Error));
            }

            await unitOfWork.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The emails have left (or not): their outcomes must not be lost with this context.
            throw new DeliveryOutcomesNotSavedException(attempted, exception);
        }

        return results;
    }

    /// <summary>The attempt's outcome; null after an unexpected error (the message stays in sending and becomes uncertain).</summary>
    private async Task<AttemptedDelivery?> TryAttemptAsync(Message message, Channel? channel)
    {
        try
        {
            return await delivery.AttemptAsync(
                message,
                channel ?? throw new InvalidOperationException($"Channel {message.ChannelId} of message {message.Id} is missing."),
                CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogAttemptFailed(logger, exception, message.Id);
            return null;
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Error, Message = "Delivery of claimed message {MessageId} failed unexpectedly")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, long messageId);
}

/// <summary>
/// Records the outcome of an attempt already made on a message still in <c>sending</c>, by itself: the
/// fallback when a batch could not save its outcomes together. A message no longer in sending (another
/// run settled it) is left as it is.
/// </summary>
public sealed record RecordDeliveryOutcomeCommand(AttemptedDelivery Attempt) : IRequest<DeliveredMessage>;

public sealed class RecordDeliveryOutcomeHandler(
    IRepository<Message> messages,
    IUnitOfWork unitOfWork,
    MessageDelivery delivery) : IRequestHandler<RecordDeliveryOutcomeCommand, DeliveredMessage>
{
    public async ValueTask<DeliveredMessage> Handle(RecordDeliveryOutcomeCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.Attempt.MessageId), CancellationToken.None);
        if (message is not { Status: DeliveryStatus.Sending })
        {
            return new DeliveredMessage(command.Attempt.MessageId, DeliveryResult.Skipped, null);
        }

        var result = delivery.Record(message, command.Attempt);
        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        return new DeliveredMessage(message.Id, result, message.Error);
    }
}
