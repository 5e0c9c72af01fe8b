using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// Steps 2 to 4 of delivery, for one claimed batch of one organization (its scope): one read of the
/// messages and one of their channels; consent screened again (<see cref="SendTimeScreening"/>); the
/// attempts side by side (each relay's connection pool bounds its own concurrency); one save of every
/// outcome. If that save fails, nothing of the batch is lost: each outcome is recorded again on its own
/// (<see cref="RecordDeliveryOutcomeCommand"/>). Returns the number of messages sent.
/// </summary>
public sealed record DeliverClaimedMessagesCommand(IReadOnlyList<long> MessageIds) : IRequest<int>;

public sealed partial class DeliverClaimedMessagesHandler(
    IRepository<Message> messages,
    IRepository<Channel> channels,
    IUnitOfWork unitOfWork,
    ICurrentTenant tenant,
    ITenantScopes tenants,
    SendTimeScreening screening,
    MessageAttempts attempts,
    IDeliveryFailures failures,
    TimeProvider clock,
    ILogger<DeliverClaimedMessagesHandler> logger) : IRequestHandler<DeliverClaimedMessagesCommand, int>
{
    public async ValueTask<int> Handle(DeliverClaimedMessagesCommand command, CancellationToken cancellationToken)
    {
        // Only rows still in sending are this batch's: anything else was settled by someone else. The
        // reads ignore the caller's token: once claimed, a message is attempted and recorded.
        var claimed = (await messages.ListAsync(new ByIdsSpec<Message>(command.MessageIds), CancellationToken.None))
            .Where(m => m.Status == DeliveryStatus.Sending)
            .ToList();
        var channelsById = (await channels.ListAsync(new ByIdsSpec<Channel>([.. claimed.Select(m => m.ChannelId).Distinct()]), CancellationToken.None))
            .ToDictionary(c => c.Id);

        var excluded = await screening.ScreenAsync(claimed, clock.GetUtcNow());
        var outcomes = await Task.WhenAll(claimed
            .Where(m => m.Status == DeliveryStatus.Sending)
            .Select(m => TryAttemptAsync(m, channelsById.GetValueOrDefault(m.ChannelId))));
        var attempted = outcomes.OfType<AttemptedDelivery>().ToList();

        var byId = claimed.ToDictionary(m => m.Id);
        try
        {
            attempted.ForEach(a => attempts.Record(byId[a.MessageId], a));
            await unitOfWork.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The emails have left (or not): their outcomes must not be lost with this context.
            LogBatchSaveFailed(logger, exception, claimed.Count);
            return await RecordOneByOneAsync(claimed, excluded, attempted);
        }

        foreach (var failed in claimed.Where(m => m.Status == DeliveryStatus.Failed))
        {
            failures.Show(failed.Id, failed.Error);
        }

        return claimed.Count(m => m.Status == DeliveryStatus.Sent);
    }

    /// <summary>The fallback when the batch could not save its outcomes together: each on its own.</summary>
    private async Task<int> RecordOneByOneAsync(List<Message> claimed, IReadOnlyDictionary<long, IReadOnlyList<ComplianceResult>> excluded, List<AttemptedDelivery> attempted)
    {
        var attemptsById = attempted.ToDictionary(a => a.MessageId);
        var sent = 0;
        foreach (var message in claimed.Where(m => excluded.ContainsKey(m.Id) || attemptsById.ContainsKey(m.Id)))
        {
            var record = new RecordDeliveryOutcomeCommand(message.Id, excluded.GetValueOrDefault(message.Id) ?? [], attemptsById.GetValueOrDefault(message.Id));
            try
            {
                var status = await tenants.SendAsync(tenant.OrganizationId, record, CancellationToken.None);
                sent += status == DeliveryStatus.Sent ? 1 : 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The message stays in sending; the sweeper's recovery settles it (uncertain if it was handed over).
                LogOutcomeNotSaved(logger, exception, message.Id);
            }
        }

        return sent;
    }

    /// <summary>The attempt's outcome; null after an unexpected error (the message stays in sending for the sweeper).</summary>
    private async Task<AttemptedDelivery?> TryAttemptAsync(Message message, Channel? channel)
    {
        try
        {
            return await attempts.AttemptAsync(
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

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "The outcome of claimed message {MessageId} could not be saved")]
    private static partial void LogOutcomeNotSaved(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "The outcomes of {Count} deliveries could not be saved together; saving them one by one")]
    private static partial void LogBatchSaveFailed(ILogger logger, Exception exception, int count);
}

/// <summary>
/// The fallback of <see cref="DeliverClaimedMessagesCommand"/>: records, by itself, what became of one
/// message of a batch whose outcomes could not be saved together (who was left out, and the attempt).
/// A message no longer in <c>sending</c> (another writer settled it) is left as it is.
/// </summary>
public sealed record RecordDeliveryOutcomeCommand(long MessageId, IReadOnlyList<ComplianceResult> Excluded, AttemptedDelivery? Attempt) : IRequest<DeliveryStatus?>;

public sealed class RecordDeliveryOutcomeHandler(
    IRepository<Message> messages,
    IUnitOfWork unitOfWork,
    MessageAttempts attempts,
    IDeliveryFailures failures,
    TimeProvider clock) : IRequestHandler<RecordDeliveryOutcomeCommand, DeliveryStatus?>
{
    public async ValueTask<DeliveryStatus?> Handle(RecordDeliveryOutcomeCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.MessageId), CancellationToken.None);
        if (message is not { Status: DeliveryStatus.Sending })
        {
            return null;
        }

        SendTimeScreening.Apply(message, command.Excluded, clock.GetUtcNow());
        if (command.Attempt is { } attempt && message.Status == DeliveryStatus.Sending)
        {
            attempts.Record(message, attempt);
        }

        await unitOfWork.SaveChangesAsync(CancellationToken.None);
        if (message.Status == DeliveryStatus.Failed)
        {
            failures.Show(message.Id, message.Error);
        }

        return message.Status;
    }
}
