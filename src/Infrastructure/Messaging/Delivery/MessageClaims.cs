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
        UPDATE messages SET status = '{DeliveryStatus.Sending}', sending_since = @now, claimed_by = @claimer, handover_at = NULL, updated_at = @now
        WHERE id IN (
            SELECT id FROM messages
            WHERE {ClaimableFilter} AND due_at <= @now
            ORDER BY due_at
            LIMIT @max
            FOR UPDATE SKIP LOCKED)
        RETURNING id, organization_id
        """;

    /// <summary>
    /// The claim with the lease renewed in the same statement, for when this process's last renewal is older
    /// than a heartbeat interval. Renewing locks this process's lease row, so claims running side by side
    /// would wait for each other if every claim renewed it; the others take <see cref="ClaimSql"/>.
    /// </summary>
    private static readonly string RenewingClaimSql = $"""
        WITH lease AS ({DeliveryClaimer.RenewSql})
        {ClaimSql}
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

    private static readonly string NextDueSql = $"SELECT due_at FROM messages WHERE {ClaimableFilter} AND due_at < @before ORDER BY due_at LIMIT 1";

    private static readonly string OverdueSql = $"SELECT EXISTS (SELECT 1 FROM messages WHERE {ClaimableFilter} AND due_at <= @before)";

    public async Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(int max, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var renewing = claimer.RenewalDue(policy.HeartbeatInterval);
        var started = claimer.Timestamp();
        await using var command = dataSource.CreateCommand(renewing ? RenewingClaimSql : ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("claimer", claimer.Id));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        var claimed = await ReadClaimedAsync(command, max, cancellationToken);
        if (renewing)
        {
            claimer.Renewed(started);
        }

        return claimed;
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
            // The entry first: looking it up detects changes, and a handover already set on the message
            // would then count as a change to save (an UPDATE of the row by the next save of any outcome).
            var entry = db.Entry(message);
            if (message.MarkHandover(at).IsFailure)
            {
                return false;
            }

            // Both values of each, and not modified: an original value unlike the current one would make
            // the entry modified, and the next save of any outcome would write the row again.
            SetUnmodified(entry.Property(nameof(Message.HandoverAt)), at);
            SetUnmodified(entry.Property(MessagePersistence.Version), version);
            return true;
        }
        finally
        {
            batch.Gate.Release();
        }
    }

    private static void SetUnmodified(Microsoft.EntityFrameworkCore.ChangeTracking.PropertyEntry property, object value)
    {
        property.CurrentValue = value;
        property.OriginalValue = value;
        property.IsModified = false;
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
/// <c>delivery_claimers</c>) that <see cref="ClaimerHeartbeat"/> renews, and a claim too when the last
/// renewal is older than a heartbeat interval. So no claim is made on a lease with less than
/// <c>ClaimerTimeout − HeartbeatInterval</c> left, whether or not the heartbeat keeps its pace.
/// </summary>
public sealed class DeliveryClaimer(TimeProvider clock)
{
    /// <summary>Renews (or creates) the lease of <c>@claimer</c>.</summary>
    public const string RenewSql = """
        INSERT INTO delivery_claimers (id, heartbeat_at) VALUES (@claimer, now())
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
        """;

    /// <summary>When the last renewal that succeeded was sent (a <see cref="TimeProvider"/> timestamp); 0: never.</summary>
    private long _renewedAt;

    public Guid Id { get; } = Guid.NewGuid();

    public long Timestamp() => clock.GetTimestamp();

    /// <summary>True when the lease was never renewed, or last renewed longer than <paramref name="interval"/> ago.</summary>
    public bool RenewalDue(TimeSpan interval)
    {
        var renewedAt = Interlocked.Read(ref _renewedAt);
        return renewedAt == 0 || clock.GetElapsedTime(renewedAt) >= interval;
    }

    /// <summary>Records a renewal that succeeded, as of the moment it was sent (never moving back).</summary>
    public void Renewed(long sentAt)
    {
        var current = Interlocked.Read(ref _renewedAt);
        while (sentAt > current)
        {
            var seen = Interlocked.CompareExchange(ref _renewedAt, sentAt, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
