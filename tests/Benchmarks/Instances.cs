using System.Diagnostics;
using Npgsql;

namespace Modular.Benchmarks;

/// <summary>One service process of a run with --instances: what it accepted, its CPU and its memory.</summary>
internal sealed record InstanceReport(int Number, int? Pid, int Accepted, double? CpuPercent, double? PeakRssMib);

/// <summary>
/// The processes of a run with --instances, and how the sent messages split between them. Which process
/// sent a message is on its row (the claimer named by the claim), so the split is read from the database;
/// a claimer is a process, not an instance number, so the split is listed largest first.
/// </summary>
internal sealed record InstancesReport(IReadOnlyList<InstanceReport> Processes, IReadOnlyList<long> SentPerProcess)
{
    public static async Task<InstancesReport> ReadAsync(
        IReadOnlyList<ServiceUnderTest> instances, IReadOnlyList<int> accepted, long[] ticksBefore, long since, string database, DateTimeOffset startedAt)
    {
        var seconds = (Stopwatch.GetTimestamp() - since) / (double)Stopwatch.Frequency;
        var processes = instances.Select((instance, i) =>
        {
            double? cpu = instance.Pid is { } pid && i < ticksBefore.Length && seconds > 0
                ? Math.Round((CpuSnapshot.ProcessTicks(pid) - ticksBefore[i]) / 100.0 / seconds * 100, 1)
                : null;
            return new InstanceReport(i + 1, instance.Pid, i < accepted.Count ? accepted[i] : 0, cpu, instance.ReadMemory()?.PeakRssMib);
        }).ToList();

        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FROM messages WHERE status = 'Sent' AND created_at >= @since GROUP BY claimed_by ORDER BY 1 DESC");
        command.Parameters.AddWithValue("since", startedAt);
        var sent = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            sent.Add(reader.GetInt64(0));
        }

        return new InstancesReport(processes, sent);
    }
}
