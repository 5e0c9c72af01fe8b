using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Modular.Domain.Organizations;
using Modular.Infrastructure.Persistence;
using Npgsql;

namespace Modular.Infrastructure.Organizations;

/// <summary>
/// What this instance knows about revocations, for the cache of authenticated keys: a generation that
/// moves on whenever any instance revokes a key (a PostgreSQL <c>NOTIFY</c> on <see cref="Channel"/>,
/// sent in the revoking transaction, so it arrives only once the revocation is committed) and whenever
/// this instance may have missed one (its listening connection was lost). Cached look-ups carry the
/// generation they were made in and are worthless in a later one; while this instance is not listening
/// there is no generation and nothing is cached.
/// </summary>
public sealed class ApiKeyRevocations
{
    /// <summary>The notification channel of revocations; the payload is the key's id.</summary>
    public const string Channel = "modular_api_key_revoked";

    private long _generation;
    private volatile bool _listening;

    /// <summary>The current generation, or null while revocations may go unheard (cache nothing then).</summary>
    public long? Generation => _listening ? Interlocked.Read(ref _generation) : null;

    internal void Revoked() => Interlocked.Increment(ref _generation);

    internal void Listening()
    {
        Interlocked.Increment(ref _generation);
        _listening = true;
    }

    internal void Deaf()
    {
        _listening = false;
        Interlocked.Increment(ref _generation);
    }

    /// <summary>The ids of keys this save revokes (call before saving: it looks at the changes).</summary>
    internal static List<long> RevokedIn(ModularDbContext db) =>
        [.. db.ChangeTracker.Entries<ApiKey>()
            .Where(e => e.State == EntityState.Modified && e.Property(k => k.RevokedAt).IsModified && e.Entity.RevokedAt is not null)
            .Select(e => e.Entity.Id)];

    /// <summary>Announces revocations inside the current transaction: PostgreSQL delivers them on commit, and not at all on a rollback.</summary>
    internal static async Task AnnounceAsync(ModularDbContext db, IReadOnlyList<long> keyIds, CancellationToken cancellationToken)
    {
        foreach (var id in keyIds)
        {
            var payload = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken);
        }
    }
}

/// <summary>
/// Holds one connection that <c>LISTEN</c>s for revocations and moves <see cref="ApiKeyRevocations"/> on
/// for each. TCP keepalives notice a dead connection within seconds; then it reconnects, once a second.
/// </summary>
internal sealed partial class ApiKeyRevocationListener(ApiKeyRevocations revocations, string connectionString, ILogger<ApiKeyRevocationListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Its own connection, outside the pool: it lives as long as the process and is never returned.
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = "modular-api-key-revocations",
        };
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                connection.Notification += (_, _) => revocations.Revoked();
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {ApiKeyRevocations.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                revocations.Listening();
                if (lost)
                {
                    LogListening(logger);
                    lost = false;
                }

                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException or InvalidOperationException)
            {
                revocations.Deaf();
                if (!lost)
                {
                    LogLost(logger, exception);
                    lost = true;
                }

                try
                {
                    await Task.Delay(ReconnectDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        revocations.Deaf();
    }

    [LoggerMessage(EventId = 4700, Level = LogLevel.Warning, Message = "Not listening for API key revocations; keys are looked up on every request until the connection is back")]
    private static partial void LogLost(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4701, Level = LogLevel.Information, Message = "Listening for API key revocations again")]
    private static partial void LogListening(ILogger logger);
}
