using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// PostgreSQL session-level advisory locks that die with their holder: the lock belongs to a connection
/// of its own, so a process killed while holding it frees it at once (unlike Hangfire's distributed
/// locks, which outlive a killed process until their timeout). Never waits: a held lock answers null.
/// Its connections are not pooled, so a lock can never go back to a pool with its connection.
/// </summary>
public sealed class SessionLocks(string connectionString) : IDisposable
{
    private readonly NpgsqlDataSource dataSource = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "modular-locks" }.ConnectionString);

    public void Dispose() => dataSource.Dispose();

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        var key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("modular:" + name)), 0);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.Add(new NpgsqlParameter<long>("key", key));
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new Held(connection, key);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.Add(new NpgsqlParameter<long>("key", key));
                await command.ExecuteScalarAsync(CancellationToken.None);
            }
            finally
            {
                // Closing the session frees the lock in any case.
                await connection.DisposeAsync();
            }
        }
    }
}
