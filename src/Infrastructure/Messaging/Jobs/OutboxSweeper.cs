using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// The outbox's safety net, run every few seconds. The message row is the outbox: a row that is due
/// but was not picked up within the grace period (the process died between commit and enqueue, or a
/// job was lost) gets a new delivery job, and a claim older than the claim timeout is handed to a job
/// that marks it uncertain. Jobs are idempotent, so a spare job costs one read.
/// </summary>
public sealed partial class OutboxSweeper(ModularDbContext db, IBackgroundJobClient jobs, DeliveryPolicy policy, TimeProvider clock, ILogger<OutboxSweeper> logger)
{
    public const string RecurringJobId = "outbox-sweeper";
    public const string RedrivenAt = "RedrivenAt";
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private const int Batch = 1000;

    [JobDisplayName("Re-drive due messages without a job")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var stale = now - Grace;
        var abandoned = now - policy.ClaimTimeout;
        var ids = await db.Set<Message>().IgnoreQueryFilters()
            .Where(m => ((m.Status == DeliveryStatus.Queued || m.Status == DeliveryStatus.Scheduled)
                        && m.DueAt <= stale
                        && (EF.Property<DateTimeOffset?>(m, RedrivenAt) == null || EF.Property<DateTimeOffset?>(m, RedrivenAt) <= stale))
                     || (m.Status == DeliveryStatus.Sending && m.SendingSince <= abandoned))
            .OrderBy(m => m.DueAt)
            .Select(m => m.Id)
            .Take(Batch)
            .ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return;
        }

        await db.Set<Message>().IgnoreQueryFilters()
            .Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => EF.Property<DateTimeOffset?>(m, RedrivenAt), now), cancellationToken);
        foreach (var id in ids)
        {
            jobs.Enqueue<DeliveryJob>(job => job.RunAsync(id, CancellationToken.None));
        }

        LogRedriven(logger, ids.Count);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Outbox sweeper re-drove {Count} messages that had no live delivery job")]
    private static partial void LogRedriven(ILogger logger, int count);
}
