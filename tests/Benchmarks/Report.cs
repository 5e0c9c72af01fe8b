using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Modular.Benchmarks;

internal sealed record MachineFacts(int Cores, string? CpuModel, double? MemoryMib, string Os, string Dotnet, string? Postgres)
{
    public static MachineFacts Read(string? postgres) => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        ReadMemoryMib(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        postgres);

    private static string? ReadCpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double? ReadMemoryMib()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return line is null
                ? null
                : Math.Round(double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

internal sealed record SettingsReport(
    int Concurrency,
    double PhaseSeconds,
    int? PhaseCount,
    double? FixedRate,
    double StartRate,
    double StepFactor,
    double StepSeconds,
    double MaxP99Ms,
    double MinAnsweredInTime,
    int MaxConnections,
    int Burst,
    int Drain,
    int Campaign,
    double? CampaignLeadSeconds,
    int SlowRelayCount,
    double SlowRelayLatencyMs,
    int SlowRelayConnections,
    double WarmupSeconds,
    double CeilingSeconds,
    double DeliveryTimeoutSeconds,
    bool Quick);

internal sealed record ServiceReport(string Mode, string Url, int? Pid, MemoryStatus? Memory, string? Log);

internal sealed record SinkReport(long Messages, long Connections, long Bytes, double? ServiceMessageBytes, long CeilingMessageBytes);

internal sealed record CeilingsReport(CeilingResult? PostgresInsert, CeilingResult? MailkitSmtp, CeilingResult? MailkitSmtpConnectPerMessage);

internal sealed record RatiosReport(
    double? AcceptedAtMaxSustainable,
    double? AcceptedOverInsertCeiling,
    double? DeliveredCapacity,
    string? DeliveredCapacitySource,
    double? DeliveredOverMailkitCeiling,
    double? BurstAcceptedOverInsertCeiling);

internal sealed record BenchReport(
    string Tool,
    string Label,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string? Commit,
    MachineFacts Machine,
    SettingsReport Settings,
    ServiceReport Service,
    CeilingsReport Ceilings,
    double MachineBusyBeforePercent,
    CpuUsage IdleCpu,
    DatabaseWork? DatabasePerAcceptedEmail,
    double? MaxSustainableRate,
    bool MaxSustainableFound,
    PhaseResult? Warmup,
    IReadOnlyList<PhaseResult> Steps,
    IReadOnlyList<PhaseResult> Phases,
    PhaseResult? Burst,
    PhaseResult? Drain,
    CampaignResult? Campaign,
    SlowRelayResult? SlowRelay,
    RatiosReport Ratios,
    SinkReport Sink,
    IReadOnlyList<WebhookPhaseResult>? Webhooks = null,
    IReadOnlyList<InboundResult>? Inbound = null,
    StatementProfileResult? DrainStatements = null,
    InstancesReport? Instances = null,
    PreloadResult? Preloaded = null)
{
    /// <summary>Deliveries the sink saw more than once, over every phase of the run.</summary>
    public int AllDuplicates =>
        new[] { Warmup, Burst, Drain, Campaign?.Phase, SlowRelay?.Phase }.Concat(Steps).Concat(Phases).Sum(p => p?.DuplicateDeliveries ?? 0);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The short aligned table printed at the end.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Modular benchmark — {Machine.Cores} cores, {StartedAt:yyyy-MM-dd HH:mm} UTC, commit {Commit ?? "?"}, concurrency {Settings.Concurrency}");
        text.AppendLine();
        string[] header = ["phase", "offered/s", "accepted/s", "errors", "p50 ms", "p95 ms", "p99 ms", "→sink p50", "→sink p99", "delivered/s", "undeliv.", "svc cpu", "pg cpu", "other"];
        var rows = new List<string[]> { header };
        var phases = Steps.Concat(Phases).Concat(new[] { Burst, Drain, Campaign?.Phase, SlowRelay?.Phase }.OfType<PhaseResult>());
        foreach (var p in phases)
        {
            var name = p.Kind == "step" ? $"{p.Name}{(p.Sustainable == true ? "" : " ✗")}" : p.Name;
            rows.Add(
            [
                name,
                F(p.OfferedPerSecond, "0.0"),
                F(p.AcceptedPerSecond, "0.0"),
                p.Errors.ToString(CultureInfo.InvariantCulture),
                F(p.AcceptLatencyMs.P50, "0.0"),
                F(p.AcceptLatencyMs.P95, "0.0"),
                F(p.AcceptLatencyMs.P99, "0.0"),
                F(p.AcceptToDeliveredMs.P50, "0"),
                F(p.AcceptToDeliveredMs.P99, "0"),
                F(p.DeliveredPerSecond, "0.0"),
                p.Undelivered.ToString(CultureInfo.InvariantCulture),
                p.Cpu?.ServicePercent is { } s ? s.ToString("0", CultureInfo.InvariantCulture) + "%" : "–",
                p.Cpu is { } c ? c.PostgresPercent.ToString("0", CultureInfo.InvariantCulture) + "%" : "–",
                p.Cpu is { } o ? o.OtherPercent.ToString("0", CultureInfo.InvariantCulture) + "%" : "–",
            ]);
        }

        AppendAligned(text, rows);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Highest sustainable rate: {F(MaxSustainableRate, "0.0")} requests/s{(MaxSustainableFound ? "" : " (none of the steps was sustainable: the start rate is used)")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Ceilings (concurrency {Settings.Concurrency}, {Settings.CeilingSeconds:0.#} s each):");
        AppendCeiling(text, "PostgreSQL INSERT, one transaction per row", Ceilings.PostgresInsert, "rows/s");
        AppendCeiling(text, "MailKit to the sink, reused connections", Ceilings.MailkitSmtp, "msg/s");
        AppendCeiling(text, "MailKit to the sink, a connection per message", Ceilings.MailkitSmtpConnectPerMessage, "msg/s");
        text.AppendLine("Ratios:");
        AppendRatio(text, $"accepted/s at the max sustainable rate ({F(Ratios.AcceptedAtMaxSustainable, "0.0")}) ÷ INSERT ceiling", Ratios.AcceptedOverInsertCeiling);
        var capacity = Ratios.DeliveredCapacitySource is { } source ? $"{source}, {F(Ratios.DeliveredCapacity, "0.0")}" : F(Ratios.DeliveredCapacity, "0.0");
        AppendRatio(text, $"delivered/s capacity ({capacity}) ÷ MailKit ceiling", Ratios.DeliveredOverMailkitCeiling);
        AppendRatio(text, $"burst accepted/s (closed loop, C={Settings.Concurrency}) ÷ INSERT ceiling", Ratios.BurstAcceptedOverInsertCeiling);
        if (Drain?.DeliveryCpu is { } delivery)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Drain, from the resume to the last delivery: service {F(delivery.ServiceMsPerMessage, "0.000")} ms, PostgreSQL {F(delivery.PostgresMsPerMessage, "0.000")} ms of CPU per delivered email");
        }

        if (Campaign is { } campaign)
        {
            var c = campaign;
            var jobs = c.HangfireJobs is { } total ? $"{total} ({c.HangfireSlotJobs} slot, {c.HangfireDueRunJobs} due runs)" : "– (not the bench database)";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Campaign: {c.Messages} messages for {c.ScheduleAt:yyyy-MM-dd HH:mm:ss}Z, accepted in {c.AcceptSeconds:0.0} s, {c.AcceptMarginSeconds:0.0} s before its time (lead {c.LeadSeconds:0.#} s: {c.LeadSource})");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  lateness (sink receipt − schedule_at): p50 {F(c.LatenessMs.P50, "0")} ms, p99 {F(c.LatenessMs.P99, "0")} ms, max {F(c.LatenessMs.Max, "0")} ms; earliest {F(c.MinLatenessMs, "+0;-0")} ms, {c.Early} early");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  last sent {F(c.LastSentAfterSeconds, "0.00")} s after its time; {c.Delivered} of {c.Accepted} delivered; Hangfire delivery jobs created: {jobs}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  target, all sent within {c.TargetSeconds:0} s of its time and none early: {c.Verdict}");
        }

        if (SlowRelay is { } r)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Slow relay: {r.Messages} messages, the relay replies {r.LatencyMs:0} ms after each, max_connections {r.MaxConnections}: delivered {F(r.DeliveredPerSecond, "0.0")}/s, " +
                $"ideal {r.IdealPerSecond:0.0}/s ({r.MaxConnections} ÷ {r.LatencyMs:0} ms), ratio {F(r.Ratio, "0.000")}");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {r.Delivered} of {r.Accepted} delivered in {F(r.DeliverySeconds, "0.00")} s (first → last receipt); the relay saw {r.SinkConnections} connections, at most {r.SinkPeakOpenConnections} open; " +
                $"target >= {r.Target:0.00}: {r.Verdict}");
            if (r.PerConnection is { } t)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  per connection, a message every {F(t.CycleMeanMs, "0.0")} ms (mean; p50 {F(t.CycleMs.P50, "0.0")}, p99 {F(t.CycleMs.P99, "0.0")}) = {F(t.ReplyDelayMeanMs, "0.0")} ms reply delay ({r.LatencyMs:0} asked) + " +
                    $"{F(t.ReplyToNextMailMeanMs, "0.0")} ms reply → next MAIL FROM (p99 {F(t.ReplyToNextMailMs.P99, "0.0")}) + {F(t.MailToFinalDotMeanMs, "0.0")} ms MAIL FROM → final dot (p99 {F(t.MailToFinalDotMs.P99, "0.0")})");
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"Idle at the end: service {F(IdleCpu.ServicePercent, "0.0")}% CPU, PostgreSQL {IdleCpu.PostgresPercent:0.0}%, other processes {IdleCpu.OtherPercent:0.0}% (cpu columns: % of one core)");
        if (DatabasePerAcceptedEmail is { } db)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Database work per accepted email (whole run, approximate): {db.Commits:0.0} commits, {db.RowsInserted:0.0} rows inserted, {db.RowsUpdated:0.0} updated, {db.RowsDeleted:0.0} deleted, {db.RowsFetched:0} fetched by index, {db.RowsScanned:0} returned by scans");
        }

        if (Preloaded is { } preloaded)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Preloaded before the phases: {preloaded.SentMessages} sent and {preloaded.ScheduledMessages} scheduled messages, {preloaded.Contacts} contacts and conversations, " +
                $"{preloaded.Organizations} organizations, in {preloaded.Seconds:0} s; database {preloaded.DatabaseMiB:0} MiB");
        }

        var firstOnly = Instances is not null ? " (the first instance; each one's is below)" : "";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Service memory: peak RSS {F(Service.Memory?.PeakRssMib, "0.0")} MiB (VmHWM), {F(Service.Memory?.RssMib, "0.0")} MiB at the end (VmRSS){firstOnly}");
        if (Instances is { } instances)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Instances: {instances.Processes.Count} service processes on one database, requests spread round-robin (service cpu columns: their sum)");
            foreach (var instance in instances.Processes)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  #{instance.Number} pid {instance.Pid}: accepted {instance.Accepted}, CPU {F(instance.CpuPercent, "0.0")}% of a core on average over the run, peak RSS {F(instance.PeakRssMib, "0.0")} MiB");
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"  sent {instances.SentPerProcess.Sum()}, by process: {string.Join(" + ", instances.SentPerProcess)}; delivered more than once at the sink: {AllDuplicates}");
        }
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {Machine.Cores} cores, {Machine.CpuModel ?? "?"}, {F(Machine.MemoryMib, "0")} MiB, PostgreSQL {Machine.Postgres ?? "?"}");
        if (Webhooks is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine("webhooks (message.sent of each delivered request, to a local receiver): lag from state change to receipt");
            foreach (var w in Webhooks)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {w.Phase,-16} {w.Received,6}/{w.Expected,-6} p50 {F(w.LagP50Ms, "0"),6} ms  p99 {F(w.LagP99Ms, "0"),6} ms  max {F(w.LagMaxMs, "0"),6} ms  {F(w.EventsPerSecond, "0.0"),8} events/s{(w.Verdict is { } v ? $"  target p99 ≤ 1 s: {v}" : "")}");
            }
        }

        if (Inbound is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine("inbound ingestion (each email from a new sender: a new contact and conversation)");
            foreach (var i in Inbound)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {i.Source,-16} {i.Stored,6}/{i.Messages,-6} in {F(i.Seconds, "0.0"),7} s  {F(i.PerSecond, "0.0"),8} messages/s{(i.Note is { } n ? $"  ({n})" : "")}");
            }
        }

        return text.ToString();
    }

    private static void AppendCeiling(StringBuilder text, string label, CeilingResult? ceiling, string unit)
    {
        if (ceiling is null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-48} (skipped)");
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"  {label,-48} {ceiling.PerSecond,10:0.0} {unit}   (p50 {F(ceiling.LatencyMs.P50, "0.00")} ms, p99 {F(ceiling.LatencyMs.P99, "0.00")} ms, errors {ceiling.Errors}, machine CPU {F(ceiling.MachineCpuMsPerOperation, "0.000")} ms each)");
    }

    private static void AppendRatio(StringBuilder text, string label, double? ratio) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-66} {F(ratio, "0.000"),8}");

    private static void AppendAligned(StringBuilder text, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i == 0)
                {
                    text.Append(row[i].PadRight(widths[i]));
                }
                else
                {
                    text.Append("  ").Append(row[i].PadLeft(widths[i]));
                }
            }

            text.AppendLine();
        }
    }

    public static string F(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
