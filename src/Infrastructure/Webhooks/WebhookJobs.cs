using Hangfire;
using Mediator;
using Modular.Application.Webhooks.DispatchWebhooks;
using Modular.Application.Webhooks.Ports;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// The Hangfire jobs of webhooks, triggers that send one command: the recurring safety net "Dispatch
/// webhook events: retries and missed events". (Committed events wake <see cref="WebhookDispatcher"/> in
/// process; they are not jobs.) Runs are safe side by side: the claims decide who sends what.
/// </summary>
public sealed class WebhookJobs(ISender sender, WebhookDispatchTrigger trigger)
{
    public const string RecurringJobId = "webhook-dispatcher";

    /// <summary>Kept for runs queued by an earlier version, which asked Hangfire for them: hands over to the dispatcher.</summary>
    [JobDisplayName("Dispatch webhook events")]
    [AutomaticRetry(Attempts = 0)]
    public Task DispatchAsync(CancellationToken cancellationToken)
    {
        trigger.Signal();
        return Task.CompletedTask;
    }

    [JobDisplayName("Dispatch webhook events: retries and missed events")]
    [AutomaticRetry(Attempts = 0)]
    public async Task SweepAsync(CancellationToken cancellationToken) =>
        await sender.Send(new DispatchWebhooksCommand(StayAwake: false), cancellationToken);

    /// <summary>Registers the recurring safety net (every 10 seconds).</summary>
    public static void Schedule(IRecurringJobManager recurringJobs) =>
        recurringJobs.AddOrUpdate<WebhookJobs>(RecurringJobId, jobs => jobs.SweepAsync(CancellationToken.None), "*/10 * * * * *");
}
