using Modular.Application.Webhooks.Ports;
using Modular.Domain.Webhooks;
using Modular.Infrastructure.Webhooks.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// The dispatcher's SQL, in one place. Fan-out locks new events in id order (FOR UPDATE, not SKIP
/// LOCKED), so a concurrent fan-out waits rather than making a later event's deliveries before an
/// earlier one's. The claim skips deliveries others hold, and one whose endpoint has an earlier pending
/// event of the same subject: that is what keeps a message's events in order per endpoint.
/// </summary>
internal sealed class WebhookDispatchStore(NpgsqlDataSource dataSource) : IWebhookDispatchStore
{
    private static readonly string FanOutSql = $"""
        WITH fresh AS (
            SELECT id, organization_id, type, ordering_key FROM webhook_events
            WHERE fanned_out_at IS NULL
            ORDER BY id
            LIMIT @max
            FOR UPDATE),
        made AS (
            INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, ordering_key, status, attempts, next_attempt_at, created_at, updated_at)
            SELECT f.organization_id, w.id, f.id, f.ordering_key, '{WebhookDeliveryStatus.Pending}', 0, @now, @now, @now
            FROM fresh f
            JOIN webhook_endpoints w ON w.organization_id = f.organization_id AND w.enabled
                AND (f.type = ANY (w.event_types) OR '{WebhookEventTypes.All}' = ANY (w.event_types))
            ORDER BY f.id
            RETURNING event_id),
        kept AS (
            UPDATE webhook_events e SET fanned_out_at = @now
            FROM fresh WHERE e.id = fresh.id AND e.id IN (SELECT event_id FROM made)),
        dropped AS (
            DELETE FROM webhook_events e
            USING fresh WHERE e.id = fresh.id AND e.id NOT IN (SELECT event_id FROM made))
        SELECT count(*)::int FROM fresh
        """;

    private static readonly string ClaimSql = $"""
        UPDATE webhook_deliveries d SET locked_until = @now + @lease
        FROM (
            SELECT d.id FROM webhook_deliveries d
            JOIN webhook_endpoints w ON w.id = d.endpoint_id
            WHERE d.{WebhookDeliveryStatus.PendingFilter} AND d.next_attempt_at <= @now
              AND (d.locked_until IS NULL OR d.locked_until <= @now) AND w.enabled
              AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries p
                  WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key
                    AND p.{WebhookDeliveryStatus.PendingFilter} AND p.event_id < d.event_id)
            ORDER BY d.next_attempt_at, d.event_id
            LIMIT @max
            FOR UPDATE OF d SKIP LOCKED) c, webhook_endpoints w, webhook_events e
        WHERE d.id = c.id AND w.id = d.endpoint_id AND e.id = d.event_id
        RETURNING d.id, d.organization_id, d.endpoint_id, d.event_id, e.public_id, e.type, e.body, d.attempts,
                  w.url, w.protected_secret, w.previous_protected_secret, w.previous_secret_expires_at
        """;

    private const string AttemptsSql = """
        INSERT INTO webhook_attempts (organization_id, endpoint_id, delivery_id, event_id, number, attempted_at, succeeded, status_code, duration_ms, response_excerpt, error)
        SELECT u.* FROM unnest(@orgs, @endpoints, @deliveries, @events, @numbers, @ats, @succeeded, @codes, @durations, @excerpts, @errors)
            AS u(organization_id, endpoint_id, delivery_id, event_id, number, attempted_at, succeeded, status_code, duration_ms, response_excerpt, error)
        -- An endpoint deleted while its event was in flight took its deliveries with it: nothing to log.
        WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = u.delivery_id)
        """;

    private const string DeliveriesSql = """
        UPDATE webhook_deliveries d SET status = u.status, attempts = d.attempts + 1, next_attempt_at = u.next, locked_until = NULL, updated_at = @now
        FROM unnest(@deliveries, @statuses, @nexts) AS u(id, status, next)
        WHERE d.id = u.id
        """;

    private const string HealthSql = """
        UPDATE webhook_endpoints w SET
            consecutive_failures = n.count,
            enabled = w.enabled AND n.count < @max,
            disabled_reason = CASE WHEN w.enabled AND n.count >= @max THEN n.reason ELSE w.disabled_reason END,
            updated_at = CASE WHEN w.enabled AND n.count >= @max THEN @now ELSE w.updated_at END
        FROM (
            SELECT u.id, CASE WHEN u.reset THEN u.failed ELSE x.consecutive_failures + u.failed END AS count, u.reason
            FROM unnest(@ids, @resets, @faileds, @reasons) AS u(id, reset, failed, reason)
            JOIN webhook_endpoints x ON x.id = u.id) n
        WHERE w.id = n.id
        """;

    public async Task<int> FanOutAsync(int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(FanOutSql);
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        command.Parameters.Add(Time("now", now));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        command.Parameters.Add(Time("now", now));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        var claimed = new List<ClaimedWebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var current = reader.GetString(9);
            var previous = reader.IsDBNull(10) ? null : reader.GetString(10);
            var previousUntil = reader.IsDBNull(11) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(11);
            claimed.Add(new ClaimedWebhookDelivery(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6), reader.GetInt32(7), reader.GetString(8),
                previous is not null && previousUntil > now ? [current, previous] : [current]));
        }

        return claimed;
    }

    public async Task RecordAsync(IReadOnlyList<WebhookAttemptResult> results, IReadOnlyList<EndpointHealthChange> health, int disableAfter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var attempts = new NpgsqlBatchCommand(AttemptsSql);
        attempts.Parameters.Add(Array("orgs", results.Select(r => r.Delivery.OrganizationId)));
        attempts.Parameters.Add(Array("endpoints", results.Select(r => r.Delivery.EndpointId)));
        attempts.Parameters.Add(Array("deliveries", results.Select(r => r.Delivery.Id)));
        attempts.Parameters.Add(Array("events", results.Select(r => r.Delivery.EventId)));
        attempts.Parameters.Add(Array("numbers", results.Select(r => r.Delivery.Attempts + 1)));
        attempts.Parameters.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = results.Select(r => r.At).ToArray() });
        attempts.Parameters.Add(Array("succeeded", results.Select(r => r.Outcome.Succeeded)));
        attempts.Parameters.Add(new NpgsqlParameter("codes", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = results.Select(r => r.Outcome.StatusCode).ToArray() });
        attempts.Parameters.Add(Array("durations", results.Select(r => (int)Math.Min(int.MaxValue, r.Outcome.Duration.TotalMilliseconds))));
        attempts.Parameters.Add(new NpgsqlParameter("excerpts", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = results.Select(r => r.Outcome.ResponseExcerpt).ToArray() });
        attempts.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = results.Select(r => Cap(r.Outcome.Error, 1000)).ToArray() });
        batch.BatchCommands.Add(attempts);

        var deliveries = new NpgsqlBatchCommand(DeliveriesSql);
        deliveries.Parameters.Add(Array("deliveries", results.Select(r => r.Delivery.Id)));
        deliveries.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = results.Select(r => r.Outcome.Succeeded ? WebhookDeliveryStatus.Succeeded : r.RetryAt is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending).ToArray(),
        });
        deliveries.Parameters.Add(new NpgsqlParameter("nexts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = results.Select(r => r.RetryAt ?? r.At).ToArray() });
        deliveries.Parameters.Add(Time("now", now));
        batch.BatchCommands.Add(deliveries);

        var changed = health.Where(h => h.Reset || h.FailedEvents > 0).ToList();
        if (changed.Count > 0)
        {
            var endpoints = new NpgsqlBatchCommand(HealthSql);
            endpoints.Parameters.Add(Array("ids", changed.Select(h => h.EndpointId)));
            endpoints.Parameters.Add(Array("resets", changed.Select(h => h.Reset)));
            endpoints.Parameters.Add(Array("faileds", changed.Select(h => h.FailedEvents)));
            endpoints.Parameters.Add(new NpgsqlParameter("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = changed.Select(h => Cap($"Disabled at {now:O} after {disableAfter} consecutive events failed for good; the last: {h.LastFailure}", 1000)).ToArray(),
            });
            endpoints.Parameters.Add(new NpgsqlParameter<int>("max", disableAfter));
            endpoints.Parameters.Add(Time("now", now));
            batch.BatchCommands.Add(endpoints);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static NpgsqlParameter<DateTimeOffset> Time(string name, DateTimeOffset value) =>
        new(name, NpgsqlDbType.TimestampTz) { TypedValue = value };

    private static NpgsqlParameter<T[]> Array<T>(string name, IEnumerable<T> values) => new(name, values.ToArray());

    private static string? Cap(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
