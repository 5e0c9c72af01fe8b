using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Messaging.Delivery;
using Modular.Infrastructure.Messaging.Delivery;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// The long-running, in-process side of delivery. It starts a delivery run (<see cref="DeliverDueMessagesCommand"/>)
/// when signaled (at most <see cref="SignaledRunsAtOnce"/> at once), which costs a request nothing but a memory write: a message fell due now, a run's full
/// claim asks for help with a backlog, the sweeper re-drives. It also wakes at the time slot of the next
/// scheduled message, and runs that slot. It learns of slots from this process's sends
/// (<see cref="SlotAhead"/>) and from the database: at start, after starting a slot's run, and every
/// <see cref="RefreshInterval"/> when nothing else woke it, so a slot reserved by an instance that died is
/// still run on time. At start it runs once at once, for what fell due while no process ran. Nothing here is the only record of anything: a signal lost with its process leaves a
/// committed, due row, which the sweeper (on any instance) re-drives.
/// </summary>
public sealed partial class DeliveryDispatcher(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    IFailureClassifier failures,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    /// <summary>Runs of this process that a backlog asks for at most (each keeps several claim loops going).</summary>
    public const int RunsForABacklog = 2;

    /// <summary>
    /// Runs started by signals that this process keeps going at once. More than the backlog's two: a run
    /// waits for its whole batch, so while a slow relay holds two runs, a signal for another channel's
    /// email must still find a run to start (as the ten Hangfire workers that ran them did before).
    /// </summary>
    public const int SignaledRunsAtOnce = 10;

    /// <summary>How often the database is asked for the next slot when nothing woke the dispatcher.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>How long the dispatcher waits before asking the database again after a failure.</summary>
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(5);

    /// <summary>The earliest due time from a moment on: one row of the partial index, however much is scheduled after it.</summary>
    private static readonly string NextSlotSql =
        $"SELECT due_at FROM messages WHERE {MessageClaims.ClaimableFilter} AND due_at >= @from ORDER BY due_at LIMIT 1";

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _permits = new(SignaledRunsAtOnce, SignaledRunsAtOnce);
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _active = [];
    private int _runRequested;
    private int _running;
    private DateTimeOffset? _nextSlot;

    /// <summary>Delivery runs of this process under way (signaled and slot runs).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Asks for a run now. Every signal is followed by a run that starts after it, so a message committed before it is claimed.</summary>
    public void Signal()
    {
        Volatile.Write(ref _runRequested, 1);
        Wake();
    }

    /// <summary>This process knows of a message due in <paramref name="slot"/>: the dispatcher wakes then, unless it wakes earlier anyway.</summary>
    public void SlotAhead(DateTimeOffset slot)
    {
        lock (_gate)
        {
            if (_nextSlot is { } known && known <= slot)
            {
                return;
            }

            _nextSlot = slot;
        }

        Wake();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var refreshAt = clock.GetUtcNow();

        // What fell due while no process ran (a restart) is claimed at once, not after the sweeper's wait.
        Signal();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = clock.GetUtcNow();
                if (now >= refreshAt)
                {
                    refreshAt = now + (await LearnNextSlotAsync(now, stoppingToken) ? RefreshInterval : FailureBackoff);
                }

                if (Volatile.Read(ref _runRequested) == 1 && _permits.Wait(0))
                {
                    Volatile.Write(ref _runRequested, 0);
                    Start(new DeliverDueMessagesCommand(), _permits, stoppingToken);
                }

                if (TakeDueSlot(now) is { } slot)
                {
                    Start(new DeliverDueMessagesCommand(Until: slot.AddSeconds(1)), null, stoppingToken);

                    // The next slot after this one: from the database, which knows every instance's.
                    refreshAt = now + (await LearnNextSlotAsync(slot.AddSeconds(1), stoppingToken) ? RefreshInterval : FailureBackoff);
                    continue;
                }

                var wait = refreshAt - now;
                lock (_gate)
                {
                    if (_nextSlot is { } next && next - now < wait)
                    {
                        wait = next - now;
                    }
                }

                await _wake.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Runs stop claiming when asked to, but finish what they claimed: wait for them.
            Task[] active;
            lock (_gate)
            {
                active = [.. _active];
            }

            await Task.WhenAll(active);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _permits.Dispose();
        base.Dispose();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Awake already, or about to be.
        }
        catch (ObjectDisposedException)
        {
            // The host has stopped; the sweeper of the next start re-drives what is due.
        }
    }

    private DateTimeOffset? TakeDueSlot(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_nextSlot is not { } next || next > now)
            {
                return null;
            }

            _nextSlot = null;
            return next;
        }
    }

    /// <summary>Merges the database's next slot from <paramref name="from"/> into what this process knows; false when the database could not say.</summary>
    private async Task<bool> LearnNextSlotAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(NextSlotSql);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("from", NpgsqlDbType.TimestampTz) { TypedValue = from });
            if (await command.ExecuteScalarAsync(cancellationToken) is DateTime next)
            {
                SlotAhead(HangfireDeliveryScheduler.SlotOf(new DateTimeOffset(next, TimeSpan.Zero)));
            }

            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong, the loop goes on (an exception out of it would stop the host): the
            // database being away is a warning, as everywhere, anything else an error.
            if (failures.Classify(exception) == FailureKind.Unavailable)
            {
                LogLookupFailed(logger, exception);
            }
            else
            {
                LogLookupFailedUnexpectedly(logger, exception);
            }

            return false;
        }
    }

    private void Start(DeliverDueMessagesCommand command, SemaphoreSlim? permit, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _running);
        var run = RunAsync(command, stoppingToken);
        lock (_gate)
        {
            _active.Add(run);
        }

        run.ContinueWith(
            finished =>
            {
                lock (_gate)
                {
                    _active.Remove(finished);
                }

                Interlocked.Decrement(ref _running);
                if (permit is not null)
                {
                    permit.Release();

                    // A signal that found both runs busy is waiting for this permit.
                    if (Volatile.Read(ref _runRequested) == 1)
                    {
                        Wake();
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunAsync(DeliverDueMessagesCommand command, CancellationToken stoppingToken)
    {
        // Off the dispatcher's loop: a run lasts as long as there is work.
        await Task.Yield();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(command, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (failures.Classify(exception) == FailureKind.Unavailable)
        {
            LogDatabaseAway(logger, exception);
        }
        catch (Exception exception)
        {
            // What it did not deliver is still due in the database: the sweeper re-drives it.
            LogRunFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Error, Message = "A delivery run failed; the sweeper re-drives what is still due")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4412, Level = LogLevel.Warning, Message = "A delivery run could not reach the database; the sweeper re-drives what is still due")]
    private static partial void LogDatabaseAway(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4413, Level = LogLevel.Error, Message = "The lookup of the next scheduled delivery failed; trying again in a few seconds")]
    private static partial void LogLookupFailedUnexpectedly(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Warning, Message = "Could not look up the next scheduled delivery; trying again in a few seconds")]
    private static partial void LogLookupFailed(ILogger logger, Exception exception);
}
