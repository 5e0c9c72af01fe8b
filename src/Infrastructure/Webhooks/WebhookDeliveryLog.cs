using Microsoft.EntityFrameworkCore;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Webhooks;
using Modular.Infrastructure.Persistence;
using Modular.Infrastructure.Webhooks.Persistence;

namespace Modular.Infrastructure.Webhooks;

/// <summary>The delivery log, replays and deletion, through the scope's context (so its tenant filters).</summary>
internal sealed class WebhookDeliveryLog(ModularDbContext db) : IWebhookDeliveryLog
{
    public async Task<(IReadOnlyList<WebhookAttemptResponse> Page, int Total)> ListAsync(long endpointId, int limit, int offset, CancellationToken cancellationToken)
    {
        var attempts = db.Set<WebhookAttemptRow>().AsNoTracking().Where(a => a.EndpointId == endpointId);
        var page = await attempts
            .OrderByDescending(a => a.Id)
            .Skip(offset)
            .Take(limit)
            .Join(db.Set<WebhookEvent>(), a => a.EventId, e => e.Id, (a, e) => new WebhookAttemptResponse(
                a.Id, e.PublicId, e.Type, a.AttemptedAt, a.Succeeded, a.StatusCode, a.DurationMs, a.ResponseExcerpt, a.Error, a.Number))
            .ToListAsync(cancellationToken);
        return (page, await attempts.CountAsync(cancellationToken));
    }

    public async Task<string?> ReplayAsync(long endpointId, long attemptId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempt = await db.Set<WebhookAttemptRow>().AsNoTracking()
            .Where(a => a.Id == attemptId && a.EndpointId == endpointId)
            .Join(db.Set<WebhookEvent>(), a => a.EventId, e => e.Id, (a, e) => new { a.OrganizationId, a.EventId, e.PublicId })
            .FirstOrDefaultAsync(cancellationToken);
        if (attempt is null)
        {
            return null;
        }

        // A delivery of its own, due now, committed by the unit of work; its ordering key is its own, so
        // it waits for no other event (and holds none back).
        db.Add(new WebhookDeliveryRow
        {
            OrganizationId = attempt.OrganizationId,
            EndpointId = endpointId,
            EventId = attempt.EventId,
            OrderingKey = $"replay:{Guid.NewGuid():N}",
            Status = WebhookDeliveryStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        });
        return attempt.PublicId;
    }

    public async Task<bool> DeleteAsync(long endpointId, CancellationToken cancellationToken) =>
        await db.Set<WebhookEndpoint>().Where(w => w.Id == endpointId).ExecuteDeleteAsync(cancellationToken) > 0;
}
