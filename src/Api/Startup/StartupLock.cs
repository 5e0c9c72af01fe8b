using Npgsql;

namespace Modular.Api.Startup;

/// <summary>
/// A PostgreSQL session advisory lock held on a connection of its own, released when disposed (or by
/// PostgreSQL when the process dies and its connection closes).
/// </summary>
internal sealed class StartupLock : IAsyncDisposable
{
    /// <summary>How long an instance waits for another one's start-up before giving up.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromMinutes(5);

    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private StartupLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    public static async Task<StartupLock> AcquireAsync(string connectionString, long key, CancellationToken cancellationToken)
    {
        // Unpooled: closing the connection ends the session, and with it any lock it still holds.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Waiting here is waiting for another instance's migrations and schema install, which on a
            // cold start of several instances can take longer than a command's default 30 s.
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection) { CommandTimeout = (int)LockWait.TotalSeconds };
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new StartupLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", _key);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            // Closing the session releases the lock in any case.
            await _connection.DisposeAsync();
        }
    }
}
