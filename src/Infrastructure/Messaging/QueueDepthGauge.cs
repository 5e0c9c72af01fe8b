using System.Diagnostics.Metrics;
using Modular.Application.Common.Telemetry;
using Modular.Infrastructure.Messaging.Delivery;
using Npgsql;

namespace Modular.Infrastructure.Messaging;

/// <summary>
/// The gauge <c>modular.queue.depth</c>: messages due but not sent (claimable and past their due time),
/// across organizations. A collection (a scrape of <c>/metrics</c>, an OTLP export) reads one count over
/// the partial index of claimable rows (<c>ix_messages_claimable_due_at</c>, the claim's own), at most
/// once per <see cref="CacheFor"/>; the count is never kept up to date between collections, so delivery
/// pays nothing for it. A count that fails or takes longer than two seconds reports nothing that time.
/// </summary>
public sealed class QueueDepthGauge
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private static readonly string CountSql =
        $"SELECT count(*) FROM messages WHERE {MessageClaims.ClaimableFilter} AND due_at <= now()";

    private readonly NpgsqlDataSource _database;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private long? _depth;

    public QueueDepthGauge(NpgsqlDataSource database, TimeProvider clock)
    {
        _database = database;
        _clock = clock;
        ModularTelemetry.Meter.CreateObservableGauge(
            "modular.queue.depth", Observe, "{message}", "Messages due but not yet sent (queued or scheduled, past their due time).");
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (now - _readAt >= CacheFor)
            {
                _readAt = now;
                _depth = Count();
            }

            return _depth is { } depth ? [new Measurement<long>(depth)] : [];
        }
    }

    private long? Count()
    {
        try
        {
            using var command = _database.CreateCommand(CountSql);
            command.CommandTimeout = 2;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return null;
        }
    }
}
