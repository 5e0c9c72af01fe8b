using System.Diagnostics;
using System.Threading.Channels;
using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Telemetry;
using Modular.Application.Webhooks.Ports;

namespace Modular.Application.Webhooks.DispatchWebhooks;

/// <summary>
/// Sends pending webhook events: makes the deliveries of new events (one per subscribed endpoint),
/// claims due ones (a lease: a crash hands them to the next run with the same <c>webhook-id</c>), posts
/// them signed, at most <see cref="WebhookPolicy.Concurrency"/> at once, and records each attempt as it
/// ends: delivered, retried with backoff, or given up (which counts towards disabling the endpoint).
/// Events of one subject (a message, a contact) go to an endpoint in order: the claim holds a later one
/// back while an earlier one is pending. With <see cref="StayAwake"/>, the run waits to be woken by the
/// next commit (in process) for <see cref="WebhookPolicy.StayAwake"/> before it ends. Returns the
/// number of attempts made.
/// </summary>
public sealed record DispatchWebhooksCommand(bool StayAwake) : IRequest<int>;

public sealed partial class DispatchWebhooksHandler(
    IWebhookDispatchStore store,
    IWebhookSender sender,
    IWebhookDispatchTrigger trigger,
    WebhookSecrets secrets,
    WebhookPolicy policy,
    TimeProvider clock,
    ILogger<DispatchWebhooksHandler> logger) : IRequestHandler<DispatchWebhooksCommand, int>
{
    private const int FanOutBatch = 1000;

    public async ValueTask<int> Handle(DispatchWebhooksCommand command, CancellationToken cancellationToken)
    {
        var ended = Channel.CreateUnbounded<WebhookAttemptResult>(new UnboundedChannelOptions { SingleReader = true });
        var recording = RecordAsTheyEndAsync(ended.Reader);
        using var slots = new SemaphoreSlim(policy.Concurrency, policy.Concurrency);
        var inFlight = new List<Task>();
        var attempts = 0;
        var idle = Stopwatch.StartNew();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = clock.GetUtcNow();
                while (await store.FanOutAsync(FanOutBatch, now, cancellationToken) == FanOutBatch)
                {
                }

                await slots.WaitAsync(cancellationToken);
                var free = slots.CurrentCount + 1;
                var claimed = await store.ClaimAsync(Math.Min(free, policy.BatchSize), clock.GetUtcNow(), policy.Lease, cancellationToken);
                if (claimed.Count == 0)
                {
                    slots.Release();
                    inFlight.RemoveAll(t => t.IsCompleted);
                    if (inFlight.Count == 0 && (!command.StayAwake || idle.Elapsed >= policy.StayAwake))
                    {
                        break;
                    }

                    await trigger.WaitAsync(policy.IdlePoll, cancellationToken);
                    continue;
                }

                idle.Restart();
                attempts += claimed.Count;
                for (var i = 0; i < claimed.Count; i++)
                {
                    if (i > 0)
                    {
                        await slots.WaitAsync(CancellationToken.None);
                    }

                    inFlight.Add(AttemptAsync(claimed[i], ended.Writer, slots));
                }

                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        finally
        {
            await Task.WhenAll(inFlight);
            ended.Writer.Complete();
            await recording;
        }

        return attempts;
    }

    private async Task AttemptAsync(ClaimedWebhookDelivery delivery, ChannelWriter<WebhookAttemptResult> ended, SemaphoreSlim slots)
    {
        try
        {
            var now = clock.GetUtcNow();
            var timestamp = now.ToUnixTimeSeconds();
            var signature = WebhookSigning.Signature(secrets.Plain(delivery.ProtectedSecrets), delivery.EventPublicId, timestamp, delivery.Body);
            using var activity = ModularTelemetry.StartWebhook(delivery.EventPublicId);
            var outcome = await sender.SendAsync(new WebhookRequest(delivery.Url, delivery.EventPublicId, timestamp, signature, delivery.Body), CancellationToken.None);
            var at = clock.GetUtcNow();
            var retryAt = outcome.Succeeded ? null : policy.NextAttemptAt(delivery.Attempts + 1, at);
            ended.TryWrite(new WebhookAttemptResult(delivery, outcome, at, retryAt));
        }
        catch (Exception exception)
        {
            // Not recorded: the lease runs out and the next run tries again, with the same webhook-id.
            LogAttemptFailed(logger, exception, delivery.EventPublicId, delivery.EndpointId);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Records attempts as they end, all that are known at each save.</summary>
    private async Task RecordAsTheyEndAsync(ChannelReader<WebhookAttemptResult> ended)
    {
        var group = new List<WebhookAttemptResult>();
        while (await ended.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            while (ended.TryRead(out var one))
            {
                group.Add(one);
            }

            try
            {
                await store.RecordAsync([.. group], HealthOf(group), policy.DisableAfter, clock.GetUtcNow(), CancellationToken.None);
                foreach (var failed in group.Where(r => !r.Outcome.Succeeded))
                {
                    LogFailed(logger, failed.Delivery.EventPublicId, failed.Delivery.EndpointId, failed.Outcome.Describe(), failed.RetryAt);
                }
            }
            catch (Exception exception)
            {
                // The leases run out and the events are sent again, with the same webhook-id.
                LogRecordFailed(logger, exception, group.Count);
            }
        }
    }

    /// <summary>Per endpoint, in the order the attempts ended: a success resets the count, an event given up adds one.</summary>
    public static IReadOnlyList<EndpointHealthChange> HealthOf(IEnumerable<WebhookAttemptResult> results)
    {
        var health = new Dictionary<long, EndpointHealthChange>();
        foreach (var result in results)
        {
            var id = result.Delivery.EndpointId;
            var current = health.GetValueOrDefault(id) ?? new EndpointHealthChange(id, false, 0, null);
            if (result.Outcome.Succeeded)
            {
                health[id] = new EndpointHealthChange(id, true, 0, null);
            }
            else if (result.GaveUp)
            {
                health[id] = current with { FailedEvents = current.FailedEvents + 1, LastFailure = result.Outcome.Describe() };
            }
            else
            {
                health[id] = current;
            }
        }

        return [.. health.Values];
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Error, Message = "Webhook event {EventId} to endpoint {EndpointId} failed unexpectedly; it is sent again when its lease runs out")]
    private static partial void LogAttemptFailed(ILogger logger, Exception exception, string eventId, long endpointId);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Webhook event {EventId} to endpoint {EndpointId} failed ({Outcome}); next attempt at {RetryAt} (none: given up)")]
    private static partial void LogFailed(ILogger logger, string eventId, long endpointId, string outcome, DateTimeOffset? retryAt);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "{Count} webhook attempts could not be recorded; they are sent again when their leases run out")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, int count);
}
