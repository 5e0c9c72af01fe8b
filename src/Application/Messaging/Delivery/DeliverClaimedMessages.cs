using System.Threading.Channels;
using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Conversations;
using Channel = Modular.Domain.Channels.Channel;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// Steps 2 to 4 of delivery, for one claimed batch of one organization (its scope): one read of the
/// messages and one of their channels; consent screened again (<see cref="SendTimeScreening"/>); the
/// attempts side by side, at most as many per relay as it has connections (<see cref="RelaySlots"/>);
/// and the outcomes saved as they come in, each save taking every outcome known by then (and letting go
/// of the messages it settled). A delivery gives its relay slot back only once its outcome is saved, so
/// a crash leaves at most one message per connection whose fate is unknown, and a batch waiting for its
/// slowest message never holds back the others' outcomes. If a save fails, nothing is lost: from then on
/// each outcome is recorded on its own (<see cref="RecordDeliveryOutcomeCommand"/>). Returns the number
/// of messages sent.
/// </summary>
public sealed record DeliverClaimedMessagesCommand(IReadOnlyList<long> MessageIds) : IRequest<int>;

public sealed partial class DeliverClaimedMessagesHandler(
    IRepository<Message> messages,
    IRepository<Channel> channels,
    IRepository<Conversation> conversations,
    IUnitOfWork unitOfWork,
    ICurrentTenant tenant,
    ITenantScopes tenants,
    SendTimeScreening screening,
    MessageAttempts attempts,
    RelaySlots relays,
    BatchContext batch,
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
        var screened = await screening.ScreenAsync(claimed, clock.GetUtcNow());
        var excluded = screened.Excluded;

        // The conversations' statuses, only where a channel's list_unsubscribe depends on them.
        var needStatus = claimed.Where(m => channelsById.GetValueOrDefault(m.ChannelId)?.ListUnsubscribe == ListUnsubscribePolicy.Automated)
            .Select(m => m.ConversationId).Distinct().ToList();
        var automated = needStatus.Count == 0
            ? []
            : (await conversations.ListAsync(new ConversationsReadOnlySpec(needStatus), CancellationToken.None))
                .Where(c => c.Status == ConversationStatus.Automated).Select(c => c.Id).ToHashSet();

        var ended = System.Threading.Channels.Channel.CreateUnbounded<Ended>(new UnboundedChannelOptions { SingleReader = true });
        var saving = SaveAsTheyEndAsync(ended.Reader);
        var settled = await Task.WhenAll(claimed.Select(message =>
            DeliverAsync(message, channelsById.GetValueOrDefault(message.ChannelId), excluded.GetValueOrDefault(message.Id) ?? [],
                Audience(message, screened, automated), ended.Writer)));
        ended.Writer.Complete();
        await saving;
        return settled.Count(status => status == DeliveryStatus.Sent);
    }

    /// <summary>Attempts one message (unless screening blocked it) and waits until what became of it is saved.</summary>
    private async Task<DeliveryStatus?> DeliverAsync(
        Message message, Channel? channel, IReadOnlyList<ComplianceResult> excluded, Audience audience, ChannelWriter<Ended> ended)
    {
        if (message.Status != DeliveryStatus.Sending)
        {
            return await EndAsync(new Ended(message, excluded, null), ended);
        }

        using var slot = await relays.TakeAsync(channel);
        var attempt = await TryAttemptAsync(message, channel, audience);

        // Null after a lost claim or an unexpected error: the sweeper's recovery settles the message
        // (queued again, or uncertain if its transaction had started).
        return attempt is null ? null : await EndAsync(new Ended(message, excluded, attempt), ended);
    }

    private static Task<DeliveryStatus?> EndAsync(Ended one, ChannelWriter<Ended> ended)
    {
        ended.TryWrite(one);
        return one.Saved.Task;
    }

    /// <summary>Saves outcomes as they come in, all that are known at each save.</summary>
    private async Task SaveAsTheyEndAsync(ChannelReader<Ended> ended)
    {
        var together = true;
        var group = new List<Ended>();
        while (await ended.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            while (ended.TryRead(out var one))
            {
                group.Add(one);
            }

            // No wait for more: a delivery holds its relay slot until its outcome is saved, so a wait here is
            // a wait of the relay's next message. The outcomes that end during a save go together in the next.
            together = together && await TrySaveTogetherAsync(group);
            var statuses = together ? [.. group.Select(e => (DeliveryStatus?)e.Message.Status)] : await RecordOneByOneAsync(group);
            foreach (var (one, status) in group.Zip(statuses))
            {
                if (status == DeliveryStatus.Failed && together)
                {
                    failures.Show(one.Message.Id, one.Message.Error);
                }

                one.Saved.TrySetResult(status);
            }
        }
    }

    private async Task<bool> TrySaveTogetherAsync(List<Ended> group)
    {
        await batch.Gate.WaitAsync(CancellationToken.None);
        try
        {
            foreach (var one in group.Where(e => e.Attempt is not null))
            {
                attempts.Record(one.Message, one.Attempt!);
            }

            await unitOfWork.SaveChangesAsync(CancellationToken.None);

            // Settled: the batch's later saves neither look at these again nor keep them in memory.
            group.ForEach(one => unitOfWork.Forget(one.Message));
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The emails have left (or not): their outcomes must not be lost with this context.
            LogSaveFailed(logger, exception, group.Count);
            return false;
        }
        finally
        {
            batch.Gate.Release();
        }
    }

    /// <summary>The fallback once saving together failed: each outcome on its own, in a scope of its own.</summary>
    private async Task<List<DeliveryStatus?>> RecordOneByOneAsync(List<Ended> group)
    {
        var statuses = new List<DeliveryStatus?>(group.Count);
        foreach (var one in group)
        {
            try
            {
                statuses.Add(await tenants.SendAsync(tenant.OrganizationId, new RecordDeliveryOutcomeCommand(one.Message.Id, one.Excluded, one.Attempt), CancellationToken.None));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The message stays in sending; the sweeper's recovery settles it (uncertain if it was handed over).
                LogOutcomeNotSaved(logger, exception, one.Message.Id);
                statuses.Add(null);
            }
        }

        return statuses;
    }

    /// <summary>The attempt's outcome; null when the claim was lost or after an unexpected error.</summary>
    private async Task<AttemptedDelivery?> TryAttemptAsync(Message message, Channel? channel, Audience audience)
    {
        try
        {
            return await attempts.AttemptAsync(
                message,
                channel ?? throw new InvalidOperationException($"Channel {message.ChannelId} of message {message.Id} is missing."),
                audience,
                CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogAttemptFailed(logger, exception, message.Id);
            return null;
        }
    }

    /// <summary>The contact an unsubscribe link of the message names (its first To recipient still in the envelope), and whether its conversation is automated.</summary>
    private static Audience Audience(Message message, Screened screened, HashSet<long> automated)
    {
        var first = message.EnvelopeRecipients.FirstOrDefault(r => r.Kind == RecipientKind.To);
        var normalized = first is null ? null : SendTimeScreening.Normalize(first.Address);
        var contact = normalized is null ? null : screened.Contacts.GetValueOrDefault(normalized);
        return new Audience(contact?.Id, automated.Contains(message.ConversationId));
    }

    private sealed class ConversationsReadOnlySpec : Specification<Conversation>
    {
        public ConversationsReadOnlySpec(IReadOnlyCollection<long> ids) => Query.Where(c => ids.Contains(c.Id)).AsNoTracking();
    }

    /// <summary>A message whose attempt is over (or that screening blocked), until its outcome is saved.</summary>
    private sealed record Ended(Message Message, IReadOnlyList<ComplianceResult> Excluded, AttemptedDelivery? Attempt)
    {
        public TaskCompletionSource<DeliveryStatus?> Saved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Error, Message = "Delivery of claimed message {MessageId} failed unexpectedly")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "The outcome of claimed message {MessageId} could not be saved; the sweeper will recover it")]
    private static partial void LogOutcomeNotSaved(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "{Count} outcomes could not be saved together; the batch's outcomes are saved one by one from here")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, int count);
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
