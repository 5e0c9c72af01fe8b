using System.Globalization;
using System.Text;
using Npgsql;

namespace Modular.Benchmarks;

/// <summary>One statement's share of a phase: calls, time and rows per email (pg_stat_statements).</summary>
internal sealed record StatementShare(string Query, double CallsPerEmail, double MsPerEmail, double RowsPerEmail);

/// <summary>What the database did for one phase's emails, statement by statement.</summary>
internal sealed record StatementProfileResult(string Phase, int Emails, double CallsPerEmail, double MsPerEmail, IReadOnlyList<StatementShare> Statements)
{
    /// <summary>The table for the console and docs/benchmarks.md: the statements taking the most time first.</summary>
    public string ToTable(int top)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Statements per email of the {Phase} ({Emails} emails accepted and delivered): {CallsPerEmail:0.0} calls, {MsPerEmail:0.000} ms of PostgreSQL execution");
        text.AppendLine("  calls/email  ms/email  rows/email  statement");
        foreach (var s in Statements.Take(top))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {s.CallsPerEmail,11:0.00}  {s.MsPerEmail,8:0.000}  {s.RowsPerEmail,10:0.0}  {s.Query}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Counts the service's statements with PostgreSQL's pg_stat_statements (loaded by scripts/services.sh when the
/// binaries have it): reset before a phase, read after it, divided by the phase's emails. The statistics are
/// the whole cluster's, filtered to the bench database; the benchmark's own queries are left out by text.
/// </summary>
internal static class StatementProfile
{
    /// <summary>Creates the extension in the bench database and resets its counters; false when it is not loaded.</summary>
    public static async Task<bool> ResetAsync(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return false;
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            await using (var create = dataSource.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            {
                await create.ExecuteNonQueryAsync();
            }

            await using var reset = dataSource.CreateCommand("SELECT pg_stat_statements_reset()");
            await reset.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException exception) when (exception.SqlState is "55000" or "58P01" or "42883")
        {
            // not in shared_preload_libraries, or not installed
            return false;
        }
    }

    public static async Task<StatementProfileResult?> ReadAsync(string? connectionString, string phase, int emails)
    {
        if (string.IsNullOrEmpty(connectionString) || emails <= 0)
        {
            return null;
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT s.query, s.calls, s.total_exec_time, s.rows
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database()
              AND s.query NOT LIKE '%pg_stat_statements%' AND s.query NOT LIKE '%pg_stat_database%'
            ORDER BY s.total_exec_time DESC
            """);
        var statements = new List<StatementShare>();
        double calls = 0, ms = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var share = new StatementShare(
                OneLine(reader.GetString(0)),
                Math.Round(reader.GetInt64(1) / (double)emails, 3),
                Math.Round(reader.GetDouble(2) / emails, 4),
                Math.Round(reader.GetInt64(3) / (double)emails, 2));
            calls += share.CallsPerEmail;
            ms += share.MsPerEmail;
            statements.Add(share);
        }

        return new StatementProfileResult(phase, emails, Math.Round(calls, 2), Math.Round(ms, 3), statements);
    }

    private static string OneLine(string query)
    {
        var flat = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..157] + "...";
    }
}
