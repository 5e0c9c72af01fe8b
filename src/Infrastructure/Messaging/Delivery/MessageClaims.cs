using Microsoft.EntityFrameworkCore;
using Modular.Application.Messaging.Delivery;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Messaging.Persistence;
using Modular.Infrastructure.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// The SQL of delivery's claims, in one place. The claimable statuses come from
/// <see cref="Message.ClaimableStatuses"/> (and so does the filter of the index the claim reads); the due
/// rule is <c>due_at &lt;= now</c>. Each claim names this process (<see cref="DeliveryClaimer"/>) and renews its
/// lease in the same statement; a claim whose claimer's lease ran out is abandoned.
/// Statements run on connections of their own: a delivery run claims from several loops at once, and a
/// batch commits handovers from its attempts side by side. A handover then hands the row's new version
/// to the batch's context (holding <see cref="BatchContext"/> only for that), so the batch's later save
/// of the outcome is not mistaken for a concurrent change.
/// </summary>
internal sealed class MessageClaims(NpgsqlDataSource dataSource, ModularDbContext db, BatchContext batch, DeliveryClaimer claimer, DeliveryPolicy policy) : IMessageClaims
{
    /// <summary><c>status IN ('Queued', 'Scheduled')</c>: the claimable rule in SQL, for the claim and its index.</summary>
    public static readonly string ClaimableFilter =
        $"status IN ({string.Join(", ", Message.ClaimableStatuses.Select(s => $"'{s}'"))})";

    /// <summary>Rows being delivered: the recovery's index holds only these.</summary>
    public static readonly string SendingFilter = $"status = '{DeliveryStatus.Sending}'";

    private static readonly string ClaimSql = $"""
        WITH lease AS (
            INSERT INTO delivery_claimers (id, heartbeat_at) VALUES (@claimer, now())
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at)
        UPDATE messages SET status = '{DeliveryStatus.Sending}', sending_since = @now, claimed_by = @claimer, handover_at = NULL, updated_at = @now
        WHERE id IN (
            SELECT id FROM messages
            WHERE {ClaimableFilter} AND due_at <= @now
            ORDER BY due_at
            LIMIT @max
            FOR UPDATE SKIP LOCKED)
        RETURNING id, organization_id
        """;

    private static readonly string HandoverSql = $"""
        UPDATE messages SET handover_at = @at
        WHERE id = @id AND {SendingFilter} AND claimed_by = @claimer
        RETURNING xmin
        """;

    private static readonly string AbandonedSql = $"""
        SELECT m.id, m.organization_id FROM messages m
        WHERE m.{SendingFilter}
          AND NOT EXISTS (SELECT 1 FROM delivery_claimers c WHERE c.id = m.claimed_by AND c.heartbeat_at > now() - @timeout)
        LIMIT @max
        """;

    private static readonly string NextDueSql = $"SELECT min(due_at) FROM messages WHERE {ClaimableFilter} AND due_at < @before";

    private static readonly string OverdueSql = $"SELECT EXISTS (SELECT 1 FROM messages WHERE {ClaimableFilter} AND due_at <= @before)";

    public async Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("claimer", claimer.Id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        return await ReadClaimedAsync(command, max, cancellationToken);
    }

    public async Task<bool> CommitHandoverAsync(Message message, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(HandoverSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at });
        command.Parameters.Add(new NpgsqlParameter<long>("id", message.Id));
        command.Parameters.Add(new NpgsqlParameter<Guid>("claimer", claimer.Id));
        if (await command.ExecuteScalarAsync(cancellationToken) is not uint version)
        {
            return false;
        }

        // The row is as the batch's message says from now on: its later save writes only what changes
        // after this, and expects the row version the handover left. The batch saves from other tasks.
        await batch.Gate.WaitAsync(CancellationToken.None);
        try
        {
            if (message.MarkHandover(at).IsFailure)
            {
                return false;
            }

            var entry = db.Entry(message);
            entry.Property(nameof(Message.HandoverAt)).OriginalValue = at;
            entry.Property(MessagePersistence.Version).OriginalValue = version;
            return true;
        }
        finally
        {
            batch.Gate.Release();
        }
    }

    public async Task<IReadOnlyList<ClaimedMessage>> FindAbandonedAsync(int max, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(AbandonedSql);
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("timeout", policy.ClaimerTimeout));
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        return await ReadClaimedAsync(command, max, cancellationToken);
    }

    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(NextDueSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("before", NpgsqlDbType.TimestampTz) { TypedValue = before });
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
    }

    public async Task<bool> AnyOverdueAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(OverdueSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("before", NpgsqlDbType.TimestampTz) { TypedValue = dueBefore });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private static async Task<IReadOnlyList<ClaimedMessage>> ReadClaimedAsync(NpgsqlCommand command, int max, CancellationToken cancellationToken)
    {
        var claimed = new List<ClaimedMessage>(Math.Min(max, 256));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedMessage(reader.GetInt64(0), reader.GetInt64(1)));
        }

        return claimed;
    }
}

/// <summary>
/// This process as a claimer of deliveries: an id of its own, and a lease (its heartbeat in
/// <c>delivery_claimers</c>) that every claim and <see cref="ClaimerHeartbeat"/> renew.
/// </summary>
public sealed class DeliveryClaimer
{
    public Guid Id { get; } = Guid.NewGuid();
}
