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
/// attempts side by side, at most as many per relay as it has connections (<see cref="RelaySlots"/>); and
/// each outcome saved as soon as it is known (<see cref="RecordDeliveryOutcomeCommand"/>), so a crash
/// loses only the attempts under way, never the outcome of one that is over. Returns the number of
/// messages sent.
/// </summary>
public sealed record DeliverClaimedMessagesCommand(IReadOnlyList<long> MessageIds) : IRequest<int>;

public sealed partial class DeliverClaimedMessagesHandler(
    IRepository<Message> messages,
    IRepository<Channel> channels,
    ICurrentTenant tenant,
    ITenantScopes tenants,
    SendTimeScreening screening,
    MessageAttempts attempts,
    RelaySlots relays,
    TimeProvider clock,
    ILogger<DeliverClaimedMessagesHandler> logger) : IRequestHandler<DeliverClaimedMessagesCommand, int>
{
    public async ValueTask<int> Handle(DeliverClaimedMessagesCommand command, CancellationToken cancellationToken)
    {
        // Only rows still in sending are this batch's: anything else was settled by someone else. The
        // reads ignore the caller's token: once claimed, a message is attempted and recorded. These
        // messages are worked on in memory; what becomes of each is saved by its own record command.
        var claimed = (await messages.ListAsync(new ByIdsSpec<Message>(command.MessageIds), CancellationToken.None))
            .Where(m => m.Status == DeliveryStatus.Sending)
            .ToList();
        var channelsById = (await channels.ListAsync(new ByIdsSpec<Channel>([.. claimed.Select(m => m.ChannelId).Distinct()]), CancellationToken.None))
            .ToDictionary(c => c.Id);

        var excluded = await screening.ScreenAsync(claimed, clock.GetUtcNow());
        var settled = await Task.WhenAll(claimed.Select(m =>
            DeliverAsync(m, channelsById.GetValueOrDefault(m.ChannelId), excluded.GetValueOrDefault(m.Id) ?? [])));
        return settled.Count(status => status == DeliveryStatus.Sent);
    }

    /// <summary>Attempts one message (unless screening blocked it) and saves what became of it; null when nothing could be saved.</summary>
    private async Task<DeliveryStatus?> DeliverAsync(Message message, Channel? channel, IReadOnlyList<ComplianceResult> exclusions)
    {
        // Held from before the transaction until the outcome is saved (see RelaySlots).
        using var slot = message.Status == DeliveryStatus.Sending ? await relays.TakeAsync(channel) : null;
        AttemptedDelivery? attempt = null;
        if (message.Status == DeliveryStatus.Sending)
        {
            attempt = await TryAttemptAsync(message, channel);
            if (attempt is null)
            {
                // The claim was lost, or the attempt broke unexpectedly: the sweeper's recovery settles the
                // message (queued again, or uncertain if its transaction had started).
                return null;
            }
        }

        try
        {
            return await tenants.SendAsync(tenant.OrganizationId, new RecordDeliveryOutcomeCommand(message.Id, exclusions, attempt), CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogOutcomeNotSaved(logger, exception, message.Id);
            return null;
        }
    }

    /// <summary>The attempt's outcome; null when the claim was lost or after an unexpected error.</summary>
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

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "The outcome of claimed message {MessageId} could not be saved; the sweeper will recover it")]
    private static partial void LogOutcomeNotSaved(ILogger logger, Exception exception, long messageId);
}

/// <summary>
/// Step 4 of delivery: saves what became of one claimed message (who was left out at send time, and the
/// attempt, if one was made), in a scope and a transaction of its own. A message no longer in
/// <c>sending</c> (another writer settled it) is left as it is.
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
