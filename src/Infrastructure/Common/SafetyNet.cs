using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;

namespace Modular.Infrastructure.Common;

/// <summary>
/// A recurring safety net run on this process's own timer, not as a Hangfire job: a recurring job costs
/// the job server a distributed lock and a handful of state writes every time it runs, which at rest was
/// most of the service's CPU (docs/benchmarks.md, "Idle cost"). Each run gets a scope of its own; a run
/// that fails is logged (a warning while the database is away, an error otherwise), and the next tick
/// tries again.
/// </summary>
public abstract partial class SafetyNet(IServiceScopeFactory scopes, IFailureClassifier failures, TimeSpan interval, ILogger logger) : BackgroundService
{
    /// <summary>What the safety net is called in the logs.</summary>
    protected abstract string Name { get; }

    protected abstract Task RunAsync(IServiceProvider services, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await RunAsync(scope.ServiceProvider, stoppingToken);
                }
                catch (Exception exception) when (failures.Classify(exception) == FailureKind.Unavailable)
                {
                    LogDatabaseAway(logger, exception, Name);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogRunFailed(logger, exception, Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 4420, Level = LogLevel.Error, Message = "The safety net {SafetyNet} failed; it runs again at its next tick")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string safetyNet);

    [LoggerMessage(EventId = 4421, Level = LogLevel.Warning, Message = "The safety net {SafetyNet} could not reach the database; it runs again at its next tick")]
    private static partial void LogDatabaseAway(ILogger logger, Exception exception, string safetyNet);
}
