using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Application.Messaging.Ports;
using Npgsql;

namespace Modular.Infrastructure.Messaging.Delivery;

/// <summary>
/// Renews this process's delivery lease every <see cref="DeliveryPolicy.HeartbeatInterval"/>. When the
/// process dies the renewals stop, and after <see cref="DeliveryPolicy.ClaimerTimeout"/> the sweeper
/// recovers its claims. Leases of processes gone for a day, and time slots a day past, are deleted.
/// </summary>
internal sealed partial class ClaimerHeartbeat(NpgsqlDataSource dataSource, DeliveryClaimer claimer, DeliveryPolicy policy, ILogger<ClaimerHeartbeat> logger)
    : BackgroundService
{
    private const string BeatSql = $"""
        {DeliveryClaimer.RenewSql};
        DELETE FROM delivery_claimers WHERE heartbeat_at < now() - interval '1 day';
        DELETE FROM delivery_slots WHERE slot < now() - interval '1 day';
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(policy.HeartbeatInterval);
        do
        {
            try
            {
                var sentAt = claimer.Timestamp();
                await using var command = dataSource.CreateCommand(BeatSql);
                command.Parameters.Add(new NpgsqlParameter<Guid>("claimer", claimer.Id));
                await command.ExecuteNonQueryAsync(stoppingToken);
                claimer.Renewed(sentAt);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                // The database is away: claims fail too, so nothing is delivered without a lease.
                LogBeatFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Warning, Message = "Could not renew the delivery lease")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
