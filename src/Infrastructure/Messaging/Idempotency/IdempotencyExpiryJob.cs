using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Idempotency;
using Modular.Infrastructure.Messaging.Jobs;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Idempotency;

/// <summary>
/// The recurring removal of idempotency records older than the retention window, every organization's,
/// in batches so no statement holds many row locks or runs long. Expired keys are already free before
/// this runs (the behavior ignores them); this only keeps the table the size of the window.
/// </summary>
public sealed partial class IdempotencyExpiryJob(
    ModularDbContext db,
    IdempotencyRetention retention,
    TimeProvider clock,
    SessionLocks locks,
    ILogger<IdempotencyExpiryJob> logger)
{
    public const string RecurringJobId = "idempotency-expiry";

    internal const int BatchSize = 5_000;

    [JobDisplayName("Remove expired idempotency keys")]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var held = await locks.TryAcquireAsync(RecurringJobId, cancellationToken);
        if (held is not null)
        {
            await RemoveExpiredAsync(cancellationToken);
        }
    }

    /// <summary>Removes every record created before the window; answers how many went.</summary>
    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var before = retention.ExpiredBefore(clock.GetUtcNow());
        var removed = 0;
        int batch;
        do
        {
            batch = await db.Set<IdempotencyRecord>().IgnoreQueryFilters()
                .Where(r => r.CreatedAt < before)
                .OrderBy(r => r.CreatedAt)
                .Take(BatchSize)
                .ExecuteDeleteAsync(cancellationToken);
            removed += batch;
        }
        while (batch == BatchSize);

        if (removed > 0)
        {
            LogRemoved(logger, removed, before);
        }

        return removed;
    }

    [LoggerMessage(EventId = 4900, Level = LogLevel.Information, Message = "Removed {Count} idempotency keys created before {Before}")]
    private static partial void LogRemoved(ILogger logger, int count, DateTimeOffset before);
}
