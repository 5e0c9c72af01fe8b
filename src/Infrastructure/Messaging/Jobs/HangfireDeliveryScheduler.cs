using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// Turns "deliver this message at that time" into a Hangfire job the dashboard shows: a message due now
/// is left to a batch job ("Deliver due messages"); a later one gets a job of its own. A scheduled job
/// is created a little ahead of the due time (<see cref="Lead"/>) and waits in the delivery claim for
/// the exact moment, because Hangfire moves delayed jobs to the queue only when it polls. The id of a
/// waiting job is kept on the message row, so a cancel or reschedule removes exactly that job.
/// </summary>
internal sealed class HangfireDeliveryScheduler(IBackgroundJobClient jobs, DeliveryBatchTrigger batches, ModularDbContext db, TimeProvider clock) : IDeliveryScheduler
{
    public const string DeliveryJobId = "DeliveryJobId";

    /// <summary>How much earlier than its due time a scheduled delivery job is released.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromSeconds(1.5);

    // TEMPORARY (helper/transport): the new port members, so this builds; the lead's branch replaces this class.
    public void RunNow() => batches.Signal();

    public Task EnsureSlotAsync(DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Delivery slots arrive with the new delivery use case.");

    public async Task DispatchAsync(long messageId, DateTimeOffset dueAt, bool mayHaveScheduledJob, CancellationToken cancellationToken)
    {
        if (mayHaveScheduledJob)
        {
            await WithdrawAsync(messageId, cancellationToken);
        }

        if (dueAt <= clock.GetUtcNow())
        {
            // Due now: a batch job claims it with whatever else is due.
            batches.Signal();
            return;
        }

        if (dueAt - Lead <= clock.GetUtcNow())
        {
            jobs.Enqueue<DeliveryJob>(job => job.RunAsync(messageId, CancellationToken.None));
            return;
        }

        var jobId = jobs.Schedule<DeliveryJob>(job => job.RunAsync(messageId, CancellationToken.None), dueAt - Lead);
        await Messages(messageId).ExecuteUpdateAsync(s => s.SetProperty(m => EF.Property<string?>(m, DeliveryJobId), jobId), cancellationToken);
    }

    public async Task WithdrawAsync(long messageId, CancellationToken cancellationToken)
    {
        var jobId = await Messages(messageId).Select(m => EF.Property<string?>(m, DeliveryJobId)).FirstOrDefaultAsync(cancellationToken);
        if (jobId is null)
        {
            return;
        }

        // Only a job still waiting is removed; one already queued or running finds the message's new
        // state when it claims it, and does nothing.
        jobs.ChangeState(jobId, new DeletedState { Reason = $"Message {messageId} was canceled or rescheduled." }, ScheduledState.StateName);
        await Messages(messageId).ExecuteUpdateAsync(s => s.SetProperty(m => EF.Property<string?>(m, DeliveryJobId), (string?)null), cancellationToken);
    }

    private IQueryable<Message> Messages(long messageId) =>
        db.Set<Message>().IgnoreQueryFilters().Where(m => m.Id == messageId);
}
