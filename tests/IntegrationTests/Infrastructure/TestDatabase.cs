using Npgsql;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>Creates a test database when it is missing (the app's migrations fill it).</summary>
internal static class TestDatabase
{
    /// <summary>
    /// A database of its own for a service process started by a test (named like the shared one plus
    /// <paramref name="suffix"/>), so that process's job server never takes the shared host's jobs.
    /// </summary>
    public static string Own(string suffix)
    {
        var database = new NpgsqlConnectionStringBuilder(ApiFactory.SharedConnectionString);
        database.Database += suffix;
        EnsureExists(database);
        return database.ConnectionString;
    }

    /// <summary>
    /// Like <see cref="Own"/>, but dropped and created again first: a new, empty database for a test
    /// about what happens on one (the first start of several instances).
    /// </summary>
    public static string Fresh(string suffix)
    {
        var database = new NpgsqlConnectionStringBuilder(ApiFactory.SharedConnectionString);
        database.Database += suffix;
        var admin = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "postgres" };
        using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database.Database}\" WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }

        EnsureExists(database);
        return database.ConnectionString;
    }

    public static void EnsureExists(NpgsqlConnectionStringBuilder target)
    {
        var admin = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres" };
        using var connection = new NpgsqlConnection(admin.ConnectionString);
        connection.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", target.Database!);
        if (exists.ExecuteScalar() is null)
        {
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database}\"", connection);
            create.ExecuteNonQuery();
        }
    }
}
