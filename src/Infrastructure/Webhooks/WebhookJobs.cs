using System.Diagnostics;
using Hangfire;
using Mediator;
using Modular.Application.Webhooks.DispatchWebhooks;
using Modular.Application.Webhooks.Ports;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// The Hangfire jobs of webhooks, triggers that send one command: "Dispatch webhook events", asked for
/// when events are committed and no run of this process is awake (it then stays awake a while, woken
/// in process by later commits), and the recurring safety net "Dispatch webhook events: retries and
/// missed events". Runs are safe side by side: the claims decide who sends what.
/// </summary>
public sealed class WebhookJobs(ISender sender, WebhookDispatchTrigger trigger)
{
    public const string RecurringJobId = "webhook-dispatcher";

    [JobDisplayName("Dispatch webhook events")]
    [AutomaticRetry(Attempts = 0)]
    public async Task DispatchAsync(CancellationToken cancellationToken)
    {
        using var awake = trigger.Awake();
        if (awake is null)
        {
            return;
        }

        await sender.Send(new DispatchWebhooksCommand(StayAwake: true), cancellationToken);
    }

    [JobDisplayName("Dispatch webhook events: retries and missed events")]
    [AutomaticRetry(Attempts = 0)]
    public async Task SweepAsync(CancellationToken cancellationToken) =>
        await sender.Send(new DispatchWebhooksCommand(StayAwake: false), cancellationToken);

    /// <summary>Registers the recurring safety net (every 10 seconds).</summary>
    public static void Schedule(IRecurringJobManager recurringJobs) =>
        recurringJobs.AddOrUpdate<WebhookJobs>(RecurringJobId, jobs => jobs.SweepAsync(CancellationToken.None), "*/10 * * * * *");
}

/// <summary>
/// Wakes this process's awake dispatch run when events are committed, or asks Hangfire for one (at most
/// one request per <see cref="PendingFor"/>) when none is awake. A run that ends while a signal is
/// pending asks for the next, so no commit waits for the safety net.
/// </summary>
public sealed class WebhookDispatchTrigger(IBackgroundJobClient jobs) : IWebhookDispatchTrigger, IDisposable
{
    private static readonly TimeSpan PendingFor = TimeSpan.FromMilliseconds(500);
    private readonly SemaphoreSlim _signal = new(0, 1);
    private int _awake;
    private long _requestedAt;

    public void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signaled.
        }

        if (Volatile.Read(ref _awake) == 0)
        {
            RequestRun();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    /// <summary>This process's run is awake until the result is disposed; null when one is awake already.</summary>
    public IDisposable? Awake()
    {
        Interlocked.Exchange(ref _requestedAt, 0);
        return Interlocked.CompareExchange(ref _awake, 1, 0) == 0 ? new Run(this) : null;
    }

    public void Dispose() => _signal.Dispose();

    private void RequestRun()
    {
        var now = Stopwatch.GetTimestamp();
        var since = Interlocked.Read(ref _requestedAt);
        if (since != 0 && Stopwatch.GetElapsedTime(since, now) < PendingFor)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _requestedAt, now, since) != since)
        {
            return;
        }

        try
        {
            jobs.Enqueue<WebhookJobs>(j => j.DispatchAsync(CancellationToken.None));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The events are committed: a job storage that cannot take the job now must not fail the change
            // that made them. The recurring dispatch run sends them within seconds.
            Interlocked.Exchange(ref _requestedAt, 0);
        }
    }

    private sealed class Run(WebhookDispatchTrigger trigger) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Volatile.Write(ref trigger._awake, 0);
                if (trigger._signal.CurrentCount > 0)
                {
                    trigger.RequestRun();
                }
            }
        }
    }
}
