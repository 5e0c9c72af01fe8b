using Modular.Application.Common.Persistence;
using Npgsql;

namespace Modular.Infrastructure.Persistence;

/// <summary>
/// What Npgsql and EF Core throw, sorted: uniqueness and concurrency losses are races the use cases
/// handle; a database that refuses connections, drops them, is shutting down or starting up is
/// unavailable; anything else is unexpected.
/// </summary>
internal sealed class FailureClassifier : IFailureClassifier
{
    /// <summary>connection_exception (class 08), admin/crash shutdown, cannot connect now, too many connections.</summary>
    private static readonly string[] UnavailableStates =
        [PostgresErrorCodes.AdminShutdown, PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow, PostgresErrorCodes.TooManyConnections];

    public FailureKind Classify(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case UniqueConstraintException or ConcurrencyConflictException:
                    return FailureKind.Race;
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || UnavailableStates.Contains(postgres.SqlState)
                        ? FailureKind.Unavailable
                        : FailureKind.Unexpected;
                case NpgsqlException { IsTransient: true }:
                    // Not a server error: the connection could not be opened, broke, or timed out.
                    return FailureKind.Unavailable;
            }
        }

        return FailureKind.Unexpected;
    }
}
