using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Messaging.Ports;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// Step 1 of delivery, the entry point of every delivery run: claims due messages in batches and has
/// each batch delivered (<see cref="DeliverClaimedMessagesCommand"/>), in a scope of the organization that
/// owns it, until nothing is due. Several claim loops run side by side, so a batch waiting for a slow
/// relay does not stop the others. With <see cref="Until"/> (a time slot's run), it also waits for
/// messages falling due before that moment and claims them at their time, never before.
/// </summary>
public sealed record DeliverDueMessagesCommand(DateTimeOffset? Until = null) : IRequest<int>;

public sealed class DeliverDueMessagesHandler(
    IMessageClaims claims,
    ITenantScopes tenants,
    IDeliveryScheduler scheduler,
    DeliveryPolicy policy,
    TimeProvider clock) : IRequestHandler<DeliverDueMessagesCommand, int>
{
    public async ValueTask<int> Handle(DeliverDueMessagesCommand command, CancellationToken cancellationToken)
    {
        var delivered = 0;
        while (true)
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, policy.ClaimLoops).Select(_ => ClaimLoopAsync(cancellationToken)));
            delivered += counts.Sum();
            if (command.Until is not { } until || cancellationToken.IsCancellationRequested)
            {
                return delivered;
            }

            // A slot's run also takes what falls due later within its second, at its time.
            var next = await claims.NextDueAsync(until, cancellationToken);
            if (next is null)
            {
                return delivered;
            }

            var wait = next.Value - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
            }
        }
    }

    /// <summary>Claims and delivers batches until a claim comes back short; returns the messages claimed.</summary>
    private async Task<int> ClaimLoopAsync(CancellationToken cancellationToken)
    {
        var claimed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await claims.ClaimDueAsync(policy.BatchSize, clock.GetUtcNow(), cancellationToken);
            if (batch.Count == 0)
            {
                return claimed;
            }

            claimed += batch.Count;
            if (batch.Count == policy.BatchSize)
            {
                // More is waiting: another run (on any worker of any instance) may help with it.
                scheduler.HelpWithBacklog();
            }

            // Once claimed, every message is attempted and its outcome saved, even if the run is asked
            // to stop: an abandoned claim would only wait for the sweeper's recovery.
            await Task.WhenAll(batch.GroupBy(m => m.OrganizationId).Select(group =>
                tenants.SendAsync(group.Key, new DeliverClaimedMessagesCommand([.. group.Select(m => m.Id)]), CancellationToken.None)));
            if (batch.Count < policy.BatchSize)
            {
                return claimed;
            }
        }

        return claimed;
    }
}
