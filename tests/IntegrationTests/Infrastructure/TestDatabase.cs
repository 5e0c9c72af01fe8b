using Npgsql;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>Creates a test database when it is missing (the app's migrations fill it).</summary>
internal static class TestDatabase
{
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
