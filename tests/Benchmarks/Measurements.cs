using System.Diagnostics;
using System.Globalization;

namespace Modular.Benchmarks;

/// <summary>Percentiles (nearest rank) of a set of milliseconds.</summary>
internal sealed record LatencySummary(int Samples, double? P50, double? P95, double? P99, double? Max)
{
    public static readonly LatencySummary Empty = new(0, null, null, null, null);

    /// <summary>Sorts <paramref name="values"/> in place.</summary>
    public static LatencySummary Of(double[] values, int length)
    {
        if (length == 0)
        {
            return Empty;
        }

        Array.Sort(values, 0, length);
        return new LatencySummary(length, Rank(values, length, 0.50), Rank(values, length, 0.95), Rank(values, length, 0.99), values[length - 1]);
    }

    private static double Rank(double[] sorted, int length, double p) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * length) - 1, 0, length - 1)], 2);
}

internal static class Clock
{
    public static double Ms(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;

    public static double Seconds(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) / (double)Stopwatch.Frequency;

    public static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);
}

/// <summary>CPU time of the machine, the service, PostgreSQL and the benchmark, from /proc (Linux).</summary>
internal readonly record struct CpuSnapshot(
    long Timestamp, long MachineBusy, long MachineTotal, long Service, IReadOnlyDictionary<int, long> Postgres, long Bench)
{
    // USER_HZ: the unit of /proc CPU times; 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    /// <summary>A snapshot; the service's CPU is the sum of <paramref name="servicePids"/> (several with --instances).</summary>
    public static CpuSnapshot Take(IReadOnlyList<int> servicePids) => new(
        Stopwatch.GetTimestamp(),
        ReadMachine(out var total),
        total,
        servicePids.Sum(ProcessTicks),
        PostgresTicks(),
        ProcessTicks(Environment.ProcessId));

    /// <summary>Usage between two snapshots, in percent of one core (as top shows it).</summary>
    public static CpuUsage Between(CpuSnapshot from, CpuSnapshot to, bool hasService, int messages)
    {
        var seconds = Clock.Seconds(from.Timestamp, to.Timestamp);
        double Percent(long ticks) => seconds <= 0 ? 0 : Math.Round(ticks / TicksPerSecond / seconds * 100, 1);
        double? PerMessage(long ticks) => messages <= 0 ? null : Math.Round(ticks / TicksPerSecond * 1000 / messages, 3);
        var machineTotal = to.MachineTotal - from.MachineTotal;
        var machinePercent = machineTotal <= 0
            ? 0
            : Math.Round((double)(to.MachineBusy - from.MachineBusy) / machineTotal * Environment.ProcessorCount * 100, 1);
        var service = hasService ? Percent(to.Service - from.Service) : 0;
        var postgres = Percent(PostgresDelta(from, to));
        var bench = Percent(to.Bench - from.Bench);
        return new CpuUsage(
            Math.Round(seconds, 2),
            machinePercent,
            hasService ? service : null,
            postgres,
            bench,
            Math.Max(0, Math.Round(machinePercent - service - postgres - bench, 1)),
            hasService ? PerMessage(to.Service - from.Service) : null,
            PerMessage(PostgresDelta(from, to)));
    }

    /// <summary>
    /// CPU of the PostgreSQL processes between two snapshots, per process: a backend that exited in
    /// between is not counted (its time is lost), one that started is counted from zero.
    /// </summary>
    private static long PostgresDelta(CpuSnapshot from, CpuSnapshot to)
    {
        long sum = 0;
        foreach (var (pid, ticks) in to.Postgres)
        {
            sum += Math.Max(0, ticks - from.Postgres.GetValueOrDefault(pid));
        }

        return sum;
    }

    private static long ReadMachine(out long total)
    {
        total = 0;
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return 0;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // user nice system idle iowait irq softirq steal
            long Field(int i) => i < fields.Length ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
            var idle = Field(4) + Field(5);
            var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
            total = busy + idle;
            return busy;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>utime + stime of a process, or 0 when it cannot be read.</summary>
    /// <summary>CPU time of one process so far, in USER_HZ ticks (0 when it is gone).</summary>
    public static long ProcessTicks(int pid) => ReadStat(pid.ToString(CultureInfo.InvariantCulture), out _);

    private static Dictionary<int, long> PostgresTicks()
    {
        var ticksByPid = new Dictionary<int, long>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(directory);
                if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
                {
                    continue;
                }

                var ticks = ReadStat(name, out var command);
                if (command == "postgres" && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    ticksByPid[pid] = ticks;
                }
            }
        }
        catch (IOException)
        {
            // /proc unavailable
        }

        return ticksByPid;
    }

    private static long ReadStat(string pid, out string? command)
    {
        command = null;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                return 0;
            }

            command = stat[(open + 1)..close];
            // after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
            var fields = stat[(close + 2)..].Split(' ');
            return fields.Length > 12
                ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                : 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}

/// <summary>
/// CPU used during a phase, in percent of one core (the machine's total is cores × 100%): the service, all
/// PostgreSQL processes (other databases' too), this benchmark, and everything else (other = machine minus
/// those: a busy neighbour shows here); and CPU milliseconds per accepted message.
/// </summary>
internal sealed record CpuUsage(
    double Seconds,
    double MachinePercent,
    double? ServicePercent,
    double PostgresPercent,
    double BenchPercent,
    double OtherPercent,
    double? ServiceMsPerMessage,
    double? PostgresMsPerMessage);

/// <summary>Resident memory of a process (/proc/PID/status): now (VmRSS) and its peak (VmHWM).</summary>
internal sealed record MemoryStatus(double RssMib, double PeakRssMib)
{
    public static MemoryStatus? Read(int pid)
    {
        try
        {
            double? rss = null, peak = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = KiB(line);
                }
            }

            return rss is { } r && peak is { } p ? new MemoryStatus(Math.Round(r / 1024, 1), Math.Round(p / 1024, 1)) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double KiB(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>
/// Counters of the bench database (pg_stat_database): transactions (read-only ones too) and rows;
/// fetched = rows read through indexes (tup_fetched), scanned = rows returned by sequential scans (tup_returned).
/// </summary>
internal sealed record DatabaseCounters(
    long Commits, long Rollbacks, long RowsInserted, long RowsUpdated, long RowsDeleted, long RowsFetched, long RowsScanned)
{
    public static async Task<DatabaseCounters?> ReadAsync(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return null;
        }

        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, tup_returned FROM pg_stat_database WHERE datname = current_database()");
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new DatabaseCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6))
            : null;
    }

    /// <summary>
    /// Gathers the planner's statistics of the bench database. The service prepares the statements it
    /// runs often, and PostgreSQL plans a prepared statement once for all later runs; planned against the
    /// empty tables of a new database, a look-up by primary key can come out as a scan of the
    /// organization's rows, and stays so until autovacuum's next ANALYZE (it wakes once a minute). A
    /// database in service has statistics; so has the bench database after the warm-up.
    /// </summary>
    public static async Task AnalyzeAsync(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return;
        }

        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("ANALYZE");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>What the service did in the database per accepted email between two readings.</summary>
    public static DatabaseWork? PerMessage(DatabaseCounters? from, DatabaseCounters? to, int messages)
    {
        if (from is null || to is null || messages <= 0)
        {
            return null;
        }

        double Per(long delta) => Math.Round((double)delta / messages, 2);
        return new DatabaseWork(messages, Per(to.Commits - from.Commits), Per(to.Rollbacks - from.Rollbacks),
            Per(to.RowsInserted - from.RowsInserted), Per(to.RowsUpdated - from.RowsUpdated),
            Per(to.RowsDeleted - from.RowsDeleted), Per(to.RowsFetched - from.RowsFetched), Per(to.RowsScanned - from.RowsScanned));
    }
}

/// <summary>Database work per accepted email over the service's part of the run (approximate: statistics are flushed lazily).</summary>
internal sealed record DatabaseWork(
    int AcceptedEmails, double Commits, double Rollbacks, double RowsInserted, double RowsUpdated, double RowsDeleted, double RowsFetched, double RowsScanned);

/// <summary>
/// The service's background JIT (the ".NET Tiered Compilation" thread): after the warm-up it recompiles hot
/// methods for a while, at up to half a core on this machine; measuring before it is done would
/// charge that to the first phases.
/// </summary>
internal static class JitActivity
{
    /// <summary>Waits until the thread used under 2% of a core over a second; the seconds waited, or null at the timeout.</summary>
    public static async Task<double?> WaitUntilQuietAsync(int pid, TimeSpan timeout)
    {
        var start = Stopwatch.GetTimestamp();
        var deadline = start + Clock.Ticks(timeout.TotalSeconds);
        var before = Ticks(pid);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1000);
            var now = Ticks(pid);
            if (now - before <= 2)
            {
                return Clock.Seconds(start, Stopwatch.GetTimestamp());
            }

            before = now;
        }

        return null;
    }

    private static long Ticks(int pid)
    {
        long sum = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    if (open < 0 || close < open || !stat[(open + 1)..close].StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var fields = stat[(close + 2)..].Split(' ');
                    sum += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
                catch (Exception exception) when (exception is IOException or FormatException or IndexOutOfRangeException)
                {
                    // the thread ended
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // the process ended
        }

        return sum;
    }
}
