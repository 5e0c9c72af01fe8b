using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Modular.Infrastructure;
using Modular.Infrastructure.Persistence;
using Modular.IntegrationTests.Infrastructure;
using Npgsql;

namespace Modular.IntegrationTests.Operations;

/// <summary>The migrations build, on a new database, exactly the schema the model describes.</summary>
public sealed class MigrationTests
{
    /// <summary>The squashed first migration; databases that ran the first week's eight still carry its id.</summary>
    private const string Initial = "20261123143803_Initial";

    /// <summary>Columns every PostgreSQL table has (the model maps <c>xmin</c> as a concurrency token).</summary>
    private static readonly HashSet<string> SystemColumns = ["xmin", "xmax", "cmin", "cmax", "ctid", "tableoid"];

    [Fact]
    public async Task A_fresh_database_migrated_from_the_initial_migration_matches_the_model()
    {
        var connectionString = TestDatabase.Fresh("_migrations");
        var options = new DbContextOptionsBuilder<ModularDbContext>();
        DependencyInjection.ConfigureDbContext(options, connectionString);
        await using var db = new ModularDbContext(options.Options);

        Assert.Equal(Initial, db.Database.GetMigrations().First());
        await db.Database.MigrateAsync();

        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "The model snapshot matches the model: no migration is missing.");

        var columns = await ColumnsAsync(connectionString);
        var indexes = await IndexesAsync(connectionString);
        var expectedColumns = 0;
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null))
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName(table) is not { } column || SystemColumns.Contains(column))
                {
                    continue;
                }

                expectedColumns++;
                Assert.True(columns.TryGetValue((table.Name, column), out var nullable), $"{table.Name}.{column} exists");
                Assert.True(nullable == property.IsColumnNullable(table), $"{table.Name}.{column} is {(property.IsColumnNullable(table) ? "nullable" : "not null")}");
            }

            foreach (var index in entity.GetIndexes())
            {
                var name = index.GetDatabaseName(table)!;
                Assert.True(indexes.Contains(name), $"index {name} on {table.Name} exists");
            }
        }

        Assert.True(expectedColumns > 50, "the model was read");
    }

    private static async Task<Dictionary<(string Table, string Column), bool>> ColumnsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new Dictionary<(string, string), bool>();
        while (await reader.ReadAsync())
        {
            columns[(reader.GetString(0), reader.GetString(1))] = reader.GetBoolean(2);
        }

        return columns;
    }

    private static async Task<HashSet<string>> IndexesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var indexes = new HashSet<string>();
        while (await reader.ReadAsync())
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }
}
