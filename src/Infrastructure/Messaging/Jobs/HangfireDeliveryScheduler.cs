using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Modular.Application.Messaging.Ports;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// Delivery runs as Hangfire jobs the dashboard shows. A message due now asks for a "Deliver due
/// messages" run (<see cref="DeliveryRunTrigger"/>, which does not create one job per message). A message
/// due later belongs to the time slot of its whole second: the first message of a slot records it in
/// <c>delivery_slots</c> and schedules its job ("Deliver messages due at 2026-12-01 09:00:00Z") a little
/// before the slot (<see cref="Lead"/>, since Hangfire moves delayed jobs to the queue only when it polls);
/// every other message of that slot, on any instance, reuses it. Cancels and reschedules change only the
/// message row: a slot run that finds nothing due ends at once.
/// </summary>
internal sealed class HangfireDeliveryScheduler(IBackgroundJobClient jobs, DeliveryRunTrigger trigger, DeliverySlotCache known, NpgsqlDataSource dataSource)
    : IDeliveryScheduler
{
    /// <summary>How much earlier than its slot a slot's job is released; the run waits for each message's exact time.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromSeconds(1.5);

    private const string ReserveSql = "INSERT INTO delivery_slots (slot) VALUES (@slot) ON CONFLICT DO NOTHING";

    public void RunNow() => trigger.Signal();

    public void HelpWithBacklog()
    {
        if (trigger.Running < DeliveryRunTrigger.RunsForABacklog)
        {
            trigger.Signal();
        }
    }

    public async Task EnsureSlotAsync(DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var slot = SlotOf(dueAt);
        if (known.Contains(slot))
        {
            return;
        }

        await using var command = dataSource.CreateCommand(ReserveSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("slot", NpgsqlDbType.TimestampTz) { TypedValue = slot });
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            // This instance reserved the slot: its job is ours to create. (If the process dies right here,
            // the sweeper's re-drive delivers the slot's messages once they are overdue.)
            var name = slot.ToString(DeliveryJobs.SlotFormat, CultureInfo.InvariantCulture);
            jobs.Schedule<DeliveryJobs>(j => j.DeliverSlotAsync(name, CancellationToken.None), slot - Lead);
        }

        known.Add(slot);
    }

    /// <summary>The slot of a due time: its whole second, in UTC.</summary>
    public static DateTimeOffset SlotOf(DateTimeOffset dueAt)
    {
        var utc = dueAt.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}

/// <summary>The slots this process knows to have a job already, so a campaign's messages reserve their slot once.</summary>
public sealed class DeliverySlotCache(TimeProvider clock)
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<DateTimeOffset, byte> _slots = new();
    private int _pruneAt = PruneAbove;

    public bool Contains(DateTimeOffset slot) => _slots.ContainsKey(slot);

    public void Add(DateTimeOffset slot)
    {
        if (!_slots.TryAdd(slot, 0) || _slots.Count <= Volatile.Read(ref _pruneAt))
        {
            return;
        }

        // Past slots are never asked for again (a message due now runs at once). When most known slots
        // are still ahead, the next pruning waits until there are twice as many, so adding stays cheap.
        var now = clock.GetUtcNow();
        foreach (var past in _slots.Keys.Where(s => s < now))
        {
            _slots.TryRemove(past, out _);
        }

        Volatile.Write(ref _pruneAt, Math.Max(PruneAbove, 2 * _slots.Count));
    }
}

/// <summary>
/// Asks for a "Deliver due messages" run without creating one job per message: while a run asked for by
/// this process has not started yet, further signals add nothing. A request older than
/// <see cref="PendingFor"/> is not trusted (another instance's worker may have run it), so a later signal
/// asks again.
/// </summary>
public sealed class DeliveryRunTrigger(IBackgroundJobClient jobs)
{
    /// <summary>Runs of this process that a backlog asks for at most (each keeps several claim loops going).</summary>
    public const int RunsForABacklog = 2;

    private static readonly TimeSpan PendingFor = TimeSpan.FromMilliseconds(250);
    private long _pendingSince;
    private int _running;

    /// <summary>Delivery runs of this process under way.</summary>
    public int Running => Volatile.Read(ref _running);

    public void Signal()
    {
        var now = Stopwatch.GetTimestamp();
        var since = Interlocked.Read(ref _pendingSince);
        if (since != 0 && Stopwatch.GetElapsedTime(since, now) < PendingFor)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _pendingSince, now, since) != since)
        {
            return;
        }

        try
        {
            jobs.Enqueue<DeliveryJobs>(j => j.DeliverDueAsync(CancellationToken.None));
        }
        catch
        {
            Interlocked.Exchange(ref _pendingSince, 0);
            throw;
        }
    }

    /// <summary>A run of this process starts; disposing the result says it ended.</summary>
    public IDisposable Started()
    {
        Interlocked.Exchange(ref _pendingSince, 0);
        Interlocked.Increment(ref _running);
        return new Run(this);
    }

    /// <summary>A slot's run starts (it was not asked for by <see cref="Signal"/>); disposing the result says it ended.</summary>
    public IDisposable SlotStarted()
    {
        Interlocked.Increment(ref _running);
        return new Run(this);
    }

    private sealed class Run(DeliveryRunTrigger trigger) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Interlocked.Decrement(ref trigger._running);
            }
        }
    }
}

/// <summary>Lists a delivery that failed for good under Failed in the dashboard, as "Deliver message 42" with the server's reply.</summary>
internal sealed class HangfireDeliveryFailures(IBackgroundJobClient jobs) : IDeliveryFailures
{
    public void Show(long messageId, string? reason) =>
        jobs.Create<DeliveryJobs>(
            j => j.FailedDeliveryAsync(messageId),
            new Hangfire.States.FailedState(new MessageDeliveryFailedException(messageId, reason)));
}

/// <summary>A delivery that failed for good; its reason is on the message.</summary>
public sealed class MessageDeliveryFailedException(long messageId, string? reason)
    : Exception($"Message {messageId} failed: {reason}");
