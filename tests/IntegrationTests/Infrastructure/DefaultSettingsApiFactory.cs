using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Modular.IntegrationTests.Infrastructure;

/// <summary>
/// A second host with the attachment settings the project ships (internal addresses refused), on a
/// database of its own so its job server never picks up the other host's deliveries.
/// </summary>
public sealed class DefaultSettingsApiFactory() : ApiFactory("_defaults")
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Attachments:AllowPrivateNetworks", "false");
    }
}

[CollectionDefinition(Name)]
public sealed class DefaultSettingsApiCollection : ICollectionFixture<DefaultSettingsApiFactory>
{
    public const string Name = "DefaultSettingsApi";
}

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
