using System.Globalization;
using Hangfire;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Messaging.Delivery;
using Modular.Infrastructure.Common;

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

/// <summary>
/// The safety net of delivery ("Sweep deliveries": recover abandoned claims, re-drive overdue messages),
/// every 15 s on each instance's own timer; at most one run at a time across instances, and none waits for
/// another.
/// </summary>
public sealed class DeliverySweeper(IServiceScopeFactory scopes, SessionLocks locks, IFailureClassifier failures, ILogger<DeliverySweeper> logger)
    : SafetyNet(scopes, failures, Interval, logger)
{
    public const string LockName = "delivery-sweeper";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override string Name => "Sweep deliveries";

    protected override Task RunAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        SweepOnceAsync(services.GetRequiredService<ISender>(), locks, cancellationToken);

    /// <summary>One sweep, unless another instance is sweeping right now.</summary>
    internal static async Task SweepOnceAsync(ISender sender, SessionLocks locks, CancellationToken cancellationToken)
    {
        await using var held = await locks.TryAcquireAsync(LockName, cancellationToken);
        if (held is not null)
        {
            await sender.Send(new SweepDeliveriesCommand(), cancellationToken);
        }
    }
}

/// <summary>
/// A sweep as a Hangfire job: it was the recurring job "delivery-sweeper" before the sweeper got its own
/// timer (<see cref="DeliverySweeper"/>), so a run queued by an earlier version still runs.
/// </summary>
public sealed class DeliverySweepJob(ISender sender, SessionLocks locks)
{
    public const string RecurringJobId = DeliverySweeper.LockName;

    [JobDisplayName("Sweep deliveries: recover abandoned claims, re-drive overdue messages")]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => DeliverySweeper.SweepOnceAsync(sender, locks, cancellationToken);
}
