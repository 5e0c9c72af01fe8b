using System.Collections.Concurrent;
using System.Globalization;
using Hangfire;
using Modular.Application.Messaging.Ports;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// Asks for delivery runs. A message due now signals this process's <see cref="DeliveryDispatcher"/>, in
/// memory: a request writes nothing for it. A message due later belongs to the time slot of its whole
/// second: the dispatcher wakes at the slot and runs it. The first message of a slot also records it in
/// <c>delivery_slots</c> and schedules a Hangfire job for it ("Deliver messages due at 2026-12-01
/// 09:00:00Z"), which every other message of that slot, on any instance, reuses: it is what operators
/// see under Scheduled in the dashboard, and a second chance should no dispatcher run the slot (released
/// <see cref="Lead"/> before it; a run finds nothing left when the dispatcher was first). Cancels and
/// reschedules change only the message row: a slot run that finds nothing due ends at once.
/// </summary>
internal sealed class HangfireDeliveryScheduler(IBackgroundJobClient jobs, DeliveryDispatcher dispatcher, DeliverySlotCache known, NpgsqlDataSource dataSource)
    : IDeliveryScheduler
{
    /// <summary>How much earlier than its slot a slot's job is released; the run waits for each message's exact time.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromSeconds(1.5);

    private const string ReserveSql = "INSERT INTO delivery_slots (slot) VALUES (@slot) ON CONFLICT DO NOTHING";

    public void RunNow() => dispatcher.Signal();

    public void HelpWithBacklog()
    {
        if (dispatcher.Running < DeliveryDispatcher.RunsForABacklog)
        {
            dispatcher.Signal();
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

        dispatcher.SlotAhead(slot);
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
