using Hangfire;
using Mediator;
using Modular.Application.Webhooks.DispatchWebhooks;
using Modular.Application.Webhooks.Ports;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// The Hangfire jobs of webhooks, kept so runs queued by an earlier version still run: committed events
/// now wake <see cref="WebhookDispatcher"/> in process, and the safety net runs on its own timer
/// (<see cref="WebhookSweeper"/>). Runs are safe side by side: the claims decide who sends what.
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

    /// <summary>The recurring job "webhook-dispatcher" before <see cref="WebhookSweeper"/>.</summary>
    [JobDisplayName("Dispatch webhook events: retries and missed events")]
    [AutomaticRetry(Attempts = 0)]
    public async Task SweepAsync(CancellationToken cancellationToken) =>
        await sender.Send(new DispatchWebhooksCommand(StayAwake: false), cancellationToken);
}
