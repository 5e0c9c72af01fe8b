using Hangfire;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Modular.Application.Messaging.DeliverMessage;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// The Hangfire job that delivers one message. It carries only the message id, acts for the
/// organization that owns the message, and sends the delivery command through the mediator. At the
/// message's due time it first runs the batch claim, so messages due together go out together.
/// Running it twice is harmless: every path claims a message before sending it.
/// </summary>
public sealed class DeliveryJob(
    ModularDbContext db,
    TenantContext tenant,
    ISender sender,
    DeliveryBatchJob batch,
    DeliveryPolicy policy,
    TimeProvider clock)
{
    public const string Queue = "delivery";

    [JobDisplayName("Deliver message {0}")]
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(long messageId, CancellationToken cancellationToken)
    {
        var owner = await db.Set<Message>().IgnoreQueryFilters()
            .Where(m => m.Id == messageId)
            .Select(m => new { m.OrganizationId, m.Status, m.DueAt })
            .FirstOrDefaultAsync(cancellationToken);
        // Gone, or settled already (a batch claim delivered it with others due at the same time).
        if (owner is null || owner.Status is not (DeliveryStatus.Scheduled or DeliveryStatus.Queued or DeliveryStatus.Sending))
        {
            return;
        }

        // Messages scheduled for the same moment (a campaign) fall due together: at its time, the job
        // claims and delivers every due message with the batch claim, its own among them, rather than
        // one message per job at the job queue's pace. If the batch did not take it (another batch
        // holds it, or more than a batch fell due), the command below claims and sends it, or skips.
        var now = clock.GetUtcNow();
        if (owner.Status is DeliveryStatus.Scheduled or DeliveryStatus.Queued && owner.DueAt - now <= policy.EarlyFireTolerance)
        {
            // Hangfire fires a little early on purpose: never claim before the due time.
            while (owner.DueAt > now)
            {
                await Task.Delay(owner.DueAt - now + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
                now = clock.GetUtcNow();
            }

            var claimed = await batch.DeliverDueAsync(cancellationToken);
            if (claimed.Contains(messageId))
            {
                return;
            }
        }

        tenant.Set(owner.OrganizationId);
        var result = await sender.Send(new DeliverMessageCommand(messageId), cancellationToken);
        if (result == DeliveryResult.Failed)
        {
            // Recorded on the message already; failing the job lists it under Failed in the dashboard.
            throw await MessageDeliveryFailedException.ForAsync(db, messageId);
        }
    }
}

/// <summary>A delivery that failed for good; its reason is on the message.</summary>
public sealed class MessageDeliveryFailedException(long messageId, string? reason)
    : Exception($"Message {messageId} failed: {reason}")
{
    /// <summary>The exception for a message that failed, with the reason recorded on it.</summary>
    public static async Task<MessageDeliveryFailedException> ForAsync(ModularDbContext db, long messageId)
    {
        var reason = await db.Set<Message>().Where(m => m.Id == messageId).Select(m => m.Error).FirstOrDefaultAsync(CancellationToken.None);
        return new MessageDeliveryFailedException(messageId, reason);
    }
}
