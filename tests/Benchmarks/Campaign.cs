using System.Diagnostics;
using Npgsql;

namespace Modular.Benchmarks;

/// <summary>
/// The campaign: N sends accepted (closed loop) with the same <c>schedule_at</c>, then delivered together at
/// that time. Lateness is the sink's receipt of a message's final "." minus <c>schedule_at</c>; the target is
/// every message sent within <see cref="TargetSeconds"/> of its time, none early.
/// </summary>
internal sealed record CampaignResult(
    int Messages,
    int Accepted,
    int Errors,
    DateTimeOffset ScheduleAt,
    double LeadSeconds,
    string LeadSource,
    double AcceptSeconds,
    double AcceptMarginSeconds,
    bool AcceptOverran,
    int Delivered,
    int Undelivered,
    int DuplicateDeliveries,
    LatencySummary LatenessMs,
    double? MinLatenessMs,
    int Early,
    double? FirstSentAfterSeconds,
    double? LastSentAfterSeconds,
    double? DeliveredPerSecondFromItsTime,
    long? HangfireJobs,
    long? HangfireSlotJobs,
    long? HangfireDueRunJobs,
    double TargetSeconds,
    bool? TargetMet,
    string Verdict,
    PhaseResult Phase)
{
    public const double Target = 10;

    public static CampaignResult Analyze(
        PhaseRun run, PhaseResult phase, DateTimeOffset scheduleAt, WallClock clock, double leadSeconds, string leadSource, HangfireJobCount? jobs)
    {
        var due = clock.TimestampOf(scheduleAt);
        var lateness = new double[run.Offered];
        int accepted = 0, delivered = 0, undelivered = 0;
        var lastAnswer = run.T0;
        for (var i = 0; i < run.Offered; i++)
        {
            lastAnswer = Math.Max(lastAnswer, run.Done[i]);
            if (!PhaseRun.IsSuccess(run.Status[i]))
            {
                continue;
            }

            accepted++;
            var at = run.Deliveries.At(i);
            if (at == 0)
            {
                undelivered++;
            }
            else
            {
                lateness[delivered++] = Clock.Ms(due, at);
            }
        }

        var early = 0;
        for (var i = 0; i < delivered; i++)
        {
            if (lateness[i] < 0)
            {
                early++;
            }
        }

        var summary = LatencySummary.Of(lateness, delivered);
        double? min = delivered > 0 ? Math.Round(lateness[0], 2) : null;
        double? last = summary.Max is { } max ? Math.Round(max / 1000, 3) : null;
        var margin = Clock.Seconds(lastAnswer, due);
        var overran = margin <= 0;
        var errors = run.Offered - accepted;

        bool? met;
        string verdict;
        if (errors > 0 || undelivered > 0)
        {
            met = false;
            verdict = $"not met: {errors} sends refused, {undelivered} accepted messages not delivered";
        }
        else if (overran)
        {
            met = null;
            verdict = $"no verdict: accepting the campaign ended {-margin:0.0} s after its time (give a longer --campaign-lead)";
        }
        else if (early > 0)
        {
            met = false;
            verdict = $"not met: {early} messages left before their time";
        }
        else if (last > Target)
        {
            met = false;
            verdict = $"not met: the last left {last:0.0} s after its time (> {Target:0} s)";
        }
        else
        {
            met = true;
            verdict = "met";
        }

        return new CampaignResult(
            run.Count,
            accepted,
            errors,
            scheduleAt,
            Math.Round(leadSeconds, 1),
            leadSource,
            Math.Round(Clock.Seconds(run.T0, lastAnswer), 3),
            Math.Round(margin, 3),
            overran,
            delivered,
            undelivered,
            run.Deliveries.Duplicates,
            summary,
            min,
            early,
            min is { } first ? Math.Round(first / 1000, 3) : null,
            last,
            last is > 0 ? Math.Round(delivered / last.Value, 1) : null,
            jobs?.Total,
            jobs?.Slot,
            jobs?.DueRuns,
            Target,
            met,
            verdict,
            phase);
    }
}

/// <summary>A <see cref="Stopwatch"/> timestamp and the UTC time read together, to turn one into the other.</summary>
internal readonly record struct WallClock(DateTimeOffset Wall, long Timestamp)
{
    public static WallClock Now()
    {
        var timestamp = Stopwatch.GetTimestamp();
        return new WallClock(DateTimeOffset.UtcNow, timestamp);
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp of a UTC time.</summary>
    public long TimestampOf(DateTimeOffset at) => Timestamp + Clock.Ticks((at - Wall).TotalSeconds);
}

/// <summary>Delivery jobs in Hangfire's tables: slot runs ("Deliver messages due at …") and due runs ("Deliver due messages").</summary>
internal sealed record HangfireJobCount(long Slot, long DueRuns)
{
    public long Total => Slot + DueRuns;

    /// <summary>The highest job id so far (0 when there is none), to count the jobs created after it.</summary>
    public static async Task<long> LastIdAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT coalesce(max(id), 0) FROM hangfire.job");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The delivery jobs created after job <paramref name="afterId"/>.</summary>
    public static async Task<HangfireJobCount> SinceAsync(string connectionString, long afterId)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT count(*) FILTER (WHERE invocationdata::text LIKE '%DeliverSlotAsync%'), " +
            "count(*) FILTER (WHERE invocationdata::text LIKE '%DeliverDueAsync%') FROM hangfire.job WHERE id > @after");
        command.Parameters.AddWithValue("after", afterId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new HangfireJobCount(reader.GetInt64(0), reader.GetInt64(1));
    }
}
