using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Webhooks.DispatchWebhooks;
using Modular.Application.Webhooks.Ports;
using Modular.Infrastructure.Common;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// Wakes whoever dispatches webhooks in this process once events are committed: the awake run of
/// <see cref="WebhookDispatcher"/>, or the dispatcher itself, which then starts one. A signal costs a
/// memory write; one that comes while a run is deciding to end is kept, and starts the next run.
/// </summary>
public sealed class WebhookDispatchTrigger : IWebhookDispatchTrigger, IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

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
        catch (ObjectDisposedException)
        {
            // The host has stopped; the events are committed, and the next start's safety net sends them.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// The long-running, in-process webhook dispatcher: sleeps until events are committed, then runs
/// <see cref="DispatchWebhooksCommand"/> awake (it goes on while later commits wake it, and ends after
/// <see cref="Application.Webhooks.WebhookPolicy.StayAwake"/> without work), then sleeps again. Idle, it
/// costs nothing. Events committed while no process runs one are sent by <see cref="WebhookSweeper"/>.
/// </summary>
public sealed partial class WebhookDispatcher(
    IServiceScopeFactory scopes, WebhookDispatchTrigger trigger, IFailureClassifier failures, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await trigger.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ISender>().Send(new DispatchWebhooksCommand(StayAwake: true), stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The events stay pending in the database: the next signal or the safety net sends them.
                    if (failures.Classify(exception) == FailureKind.Unavailable)
                    {
                        LogDatabaseAway(logger, exception);
                    }
                    else
                    {
                        LogRunFailed(logger, exception);
                    }

                    await Task.Delay(FailureBackoff, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 5410, Level = LogLevel.Error, Message = "A webhook dispatch run failed; pending events are sent by the next run")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5411, Level = LogLevel.Warning, Message = "A webhook dispatch run could not reach the database; pending events are sent by the next run")]
    private static partial void LogDatabaseAway(ILogger logger, Exception exception);
}

/// <summary>
/// The safety net of webhooks ("Dispatch webhook events: retries and missed events"), every 10 s on each
/// instance's own timer: retries that fall due while no run is awake, and events of a process that died
/// before it woke anyone. Runs on several instances are safe side by side: the claims decide.
/// </summary>
public sealed class WebhookSweeper(IServiceScopeFactory scopes, IFailureClassifier failures, ILogger<WebhookSweeper> logger)
    : SafetyNet(scopes, failures, TimeSpan.FromSeconds(10), logger)
{
    protected override string Name => "Dispatch webhook events: retries and missed events";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        await services.GetRequiredService<ISender>().Send(new DispatchWebhooksCommand(StayAwake: false), cancellationToken);
}
