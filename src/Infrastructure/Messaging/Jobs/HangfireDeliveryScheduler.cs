using Hangfire;
using Hangfire.States;
using Modular.Application.Messaging.Ports;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>Turns "deliver this message at that time" into a Hangfire job the dashboard shows.</summary>
internal sealed class HangfireDeliveryScheduler(IBackgroundJobClient jobs, JobStorage storage, TimeProvider clock) : IDeliveryScheduler
{
    public void Dispatch(long messageId, DateTimeOffset dueAt)
    {
        if (dueAt <= clock.GetUtcNow())
        {
            jobs.Enqueue<DeliveryJob>(job => job.RunAsync(messageId, CancellationToken.None));
        }
        else
        {
            jobs.Schedule<DeliveryJob>(job => job.RunAsync(messageId, CancellationToken.None), dueAt);
        }
    }

    public void Withdraw(long messageId)
    {
        var monitoring = storage.GetMonitoringApi();
        const int page = 500;
        for (var from = 0; ; from += page)
        {
            var scheduled = monitoring.ScheduledJobs(from, page);
            foreach (var (jobId, job) in scheduled)
            {
                if (job.Job?.Type == typeof(DeliveryJob) && job.Job.Args.Count > 0 && job.Job.Args[0] is long id && id == messageId)
                {
                    jobs.ChangeState(jobId, new DeletedState { Reason = $"Message {messageId} was canceled." }, ScheduledState.StateName);
                }
            }

            if (scheduled.Count < page)
            {
                return;
            }
        }
    }
}
