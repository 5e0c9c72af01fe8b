using System.Globalization;
using Hangfire;
using Mediator;
using Modular.Application.Messaging.Delivery;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// The Hangfire jobs of delivery: triggers that send one command, and hold no logic. A run is safe to
/// start any number of times: the claim decides who delivers what. (Runs for messages due now are not
/// jobs: <see cref="DeliveryDispatcher"/> starts them in process.)
/// </summary>
public sealed class DeliveryJobs(ISender sender, DeliveryDispatcher dispatcher)
{
    public const string Queue = "delivery";

    /// <summary>The format of a slot's time in its job's name and argument: <c>2026-12-01 09:00:00Z</c>.</summary>
    public const string SlotFormat = "yyyy-MM-dd HH:mm:ss'Z'";

    /// <summary>Kept for runs queued by an earlier version, which asked Hangfire for them: hands over to the dispatcher.</summary>
    [JobDisplayName("Deliver due messages")]
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)]
    public Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        dispatcher.Signal();
        return Task.CompletedTask;
    }

    [JobDisplayName("Deliver messages due at {0}")]
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)]
    public async Task DeliverSlotAsync(string slot, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.ParseExact(slot, SlotFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        await sender.Send(new DeliverDueMessagesCommand(Until: start.AddSeconds(1)), cancellationToken);
    }

    /// <summary>Lists a delivery that failed for good under Failed; requeuing it does nothing (retry is <c>POST /v1/messages/{id}/retry</c>).</summary>
    [JobDisplayName("Deliver message {0}")]
    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)]
    public Task FailedDeliveryAsync(long messageId) => Task.CompletedTask;
}

/// <summary>The recurring safety net ("Sweep deliveries"): at most one run at a time across instances, and none waits for another.</summary>
public sealed class DeliverySweepJob(ISender sender, SessionLocks locks)
{
    public const string RecurringJobId = "delivery-sweeper";

    [JobDisplayName("Sweep deliveries: recover abandoned claims, re-drive overdue messages")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var held = await locks.TryAcquireAsync(RecurringJobId, cancellationToken);
        if (held is not null)
        {
            await sender.Send(new SweepDeliveriesCommand(), cancellationToken);
        }
    }
}
