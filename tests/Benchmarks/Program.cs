using System.Diagnostics;
using System.Globalization;
using Modular.Benchmarks;
using Modular.Benchmarks.Smtp;

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException exception)
{
    await Console.Error.WriteLineAsync($"bench: {exception.Message}");
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

try
{
    return await Benchmark.RunAsync(options);
}
catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or FileNotFoundException or HttpRequestException or Npgsql.NpgsqlException)
{
    await Console.Error.WriteLineAsync($"bench: {exception.Message}");
    return 1;
}

/// <summary>The whole run: ceilings, the service, warm-up, rate search, measured phases, burst, drain, campaign, slow relay, report.</summary>
internal static class Benchmark
{
    private static readonly long Started = Stopwatch.GetTimestamp();

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stamp = startedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var runId = startedAt.ToUnixTimeSeconds() % 100_000_000;
        Directory.CreateDirectory(options.OutputDirectory);
        var jsonPath = Path.Combine(options.OutputDirectory, $"bench-{stamp}.json");
        var logPath = Path.Combine(options.OutputDirectory, $"bench-{stamp}.service.log");
        var deliveryTimeout = TimeSpan.FromSeconds(options.DeliveryTimeoutSeconds);
        var concurrency = options.Concurrency;

        var postgres = options.Database is { } database ? await Ceilings.PostgresVersionAsync(database) : null;
        var machine = MachineFacts.Read(postgres);
        Say($"Modular benchmark: {machine.Cores} cores, {machine.CpuModel}, concurrency {concurrency}{(options.Quick ? ", quick" : "")}");

        // A busy neighbour (a build, tests) makes every figure lower and noisier: say so.
        var quietBefore = CpuSnapshot.Take([]);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var before = CpuSnapshot.Between(quietBefore, CpuSnapshot.Take([]), false, 0);
        var busyBefore = Math.Round(before.MachinePercent - before.BenchPercent, 1);
        if (busyBefore > 20)
        {
            Say($"warning: other processes use {busyBefore:0}% CPU (of one core) before the run; the figures will be lower and noisier than on a quiet machine");
        }

        var tracker = new DeliveryTracker(runId);
        await using var sink = new SmtpSink(tracker);
        Say($"SMTP sink on 127.0.0.1:{sink.Port}");

        // 1. Ceilings, on a quiet machine (the service is not started yet).
        CeilingResult? insert = null, mailkit = null, mailkitPerMessage = null;
        var ceilingDuration = TimeSpan.FromSeconds(options.CeilingSeconds);
        var ceilingMessageBytes = BenchMessage.MimeSize(BenchMessage.CreateMime("ceiling@" + DeliveryTracker.Domain, "ceiling-rcpt@" + DeliveryTracker.Domain));
        if (options.Ceilings)
        {
            mailkit = await Ceilings.MailKitAsync(sink.Port, concurrency, ceilingDuration);
            Say($"ceiling MailKit, reused connections: {mailkit.PerSecond:0.0} msg/s (p99 {BenchReport.F(mailkit.LatencyMs.P99, "0.00")} ms, message {ceilingMessageBytes} bytes)");
            mailkitPerMessage = await Ceilings.MailKitConnectPerMessageAsync(sink.Port, concurrency, ceilingDuration);
            Say($"ceiling MailKit, connection per message: {mailkitPerMessage.PerSecond:0.0} msg/s");
            insert = await Ceilings.InsertAsync(options.Database!, concurrency, ceilingDuration);
            Say($"ceiling PostgreSQL INSERT, one transaction per row: {insert.PerSecond:0.0} rows/s (p99 {BenchReport.F(insert.LatencyMs.P99, "0.00")} ms)");
        }

        var sinkMessagesBefore = sink.Messages;
        var sinkBytesBefore = sink.Bytes;

        // 2. The service.
        await using var service = options.Url is { } url
            ? ServiceUnderTest.Attach(url, options.AdminKey!, options.Pid)
            : await StartServiceAsync(options, sink.Port, logPath);
        var instances = new List<ServiceUnderTest> { service };
        using var cancelHandler = new ConsoleCancelHandler(instances);
        Say(service.Started
            ? $"service started: pid {service.Pid}, {service.BaseAddress} (log: {logPath})"
            : $"service at {service.BaseAddress}{(service.Pid is { } pid ? $", pid {pid}" : " (no --pid: memory not reported)")}");
        await using var moreInstances = new InstanceList();
        for (var k = 2; k <= options.Instances; k++)
        {
            var instanceLog = Path.ChangeExtension(logPath, $".{k}.log");
            var more = await StartServiceAsync(options, sink.Port, instanceLog);
            moreInstances.Add(more);
            instances.Add(more);
            Say($"service instance {k} started: pid {more.Pid}, {more.BaseAddress} (log: {instanceLog})");
        }

        // History first (the service has migrated the database by now): the phases then run on it.
        PreloadResult? preloaded = null;
        if (options.Preload > 0)
        {
            preloaded = await Preload.RunAsync(options.Database!, options.Preload, Say);
            Say($"preloaded {preloaded.SentMessages} sent and {preloaded.ScheduledMessages} scheduled messages in {preloaded.Seconds:0} s; database {preloaded.DatabaseMiB:0} MiB");
        }

        // The service's CPU in every figure is the sum of its processes.
        IReadOnlyList<int> servicePids = [.. instances.Where(s => s.Pid is not null).Select(s => s.Pid!.Value)];
        var instanceTicksBefore = servicePids.Select(CpuSnapshot.ProcessTicks).ToArray();
        var instancesSince = Stopwatch.GetTimestamp();
        await using var webhooks = new WebhookReceiver(tracker);
        var webhookResults = new List<WebhookPhaseResult>();
        var (apiKey, channelEmail) = await service.CreateTenantAsync(runId, service.Started ? null : sink.Port, options.Webhooks ? webhooks.Url : null);
        Say(options.Webhooks ? $"webhook receiver on {webhooks.Url} (message.sent of every request)" : "no webhook endpoint (--no-webhooks)");
        using var load = new LoadGenerator([.. instances.Select(s => s.BaseAddress)], apiKey, channelEmail, options.MaxConnections, tracker);
        // The service's database work, when it uses the bench database (not with --url).
        var databaseBefore = service.Started ? await DatabaseCounters.ReadAsync(options.Database) : null;
        var acceptedTotal = 0;

        // deliveryWait: how long to wait for the phase's deliveries once every request is answered (default --delivery-timeout).
        async Task<PhaseResult> MeasureAsync(Func<Task<PhaseRun>> run, Func<TimeSpan>? deliveryWait = null)
        {
            var pending = await load.WaitForBacklogAsync(deliveryTimeout);
            if (pending > 0)
            {
                Say($"  warning: {pending} messages of earlier phases are still not delivered");
            }

            var before = CpuSnapshot.Take(servicePids);
            var phase = await run();
            await LoadGenerator.WaitForDeliveriesAsync(phase, deliveryWait?.Invoke() ?? deliveryTimeout, Say);
            if (options.Webhooks && phase.Kind is "measured" or "burst" or "drain" or "campaign")
            {
                // Each delivered request's message.sent event: how long after the state change it arrived.
                var hooks = await webhooks.ResultAsync(phase.Name, phase.PhaseId, phase.Deliveries.Delivered, TimeSpan.FromSeconds(15));
                webhookResults.Add(hooks);
                Say($"  webhooks: {hooks.Received}/{hooks.Expected} message.sent received, lag p50/p99/max {BenchReport.F(hooks.LagP50Ms, "0")}/{BenchReport.F(hooks.LagP99Ms, "0")}/{BenchReport.F(hooks.LagMaxMs, "0")} ms, " +
                    $"{BenchReport.F(hooks.EventsPerSecond, "0.0")} events/s{(hooks.Verdict is { } verdict ? $": target (p99 ≤ 1 s at half the max rate) {verdict}" : "")}");
            }
            var after = CpuSnapshot.Take(servicePids);
            var accepted = phase.Status.Count(PhaseRun.IsSuccess);
            acceptedTotal += accepted;
            if (phase.ResumedCpu is { } resumed)
            {
                phase.DeliveryCpu = CpuSnapshot.Between(resumed, after, servicePids.Count > 0, phase.Deliveries.Delivered);
            }

            return PhaseResult.Analyze(phase, options, CpuSnapshot.Between(before, after, servicePids.Count > 0, accepted), service.ReadMemory());
        }

        // 3. Warm-up (JIT, connection pools), not part of the figures.
        PhaseResult? warmup = null;
        if (options.WarmupSeconds > 0)
        {
            warmup = await MeasureAsync(() => load.RunClosedLoopAsync(
                "warm-up", "warmup", (int)Math.Min(int.MaxValue / 2, options.WarmupSeconds * 2000), Math.Min(2, concurrency), options.WarmupSeconds));
            Say($"warm-up: {warmup.Accepted}/{warmup.Requests} accepted in {options.WarmupSeconds:0.#} s, {warmup.Delivered} delivered, accept p50 {BenchReport.F(warmup.AcceptLatencyMs.P50, "0.0")} ms");
            if (service.Started)
            {
                await DatabaseCounters.AnalyzeAsync(options.Database);
                Say("database statistics gathered (ANALYZE)");
            }

            if (service.Pid is { } servicePid)
            {
                var settled = await JitActivity.WaitUntilQuietAsync(servicePid, TimeSpan.FromSeconds(30));
                Say($"service JIT {(settled is { } s ? $"quiet after {s:0.0} s" : "still compiling after 30 s (going on)")}");
            }
        }

        // 4. The highest sustainable rate: open-loop steps, each F times the previous, until one fails.
        var steps = new List<PhaseResult>();
        double? maxRate = options.Rate;
        var found = options.Rate is not null;
        if (options.Rate is null)
        {
            async Task<bool> StepAsync(int step, double offered)
            {
                var count = Math.Max(1, (int)Math.Round(offered * options.StepSeconds));
                var result = await MeasureAsync(() => load.RunOpenLoopAsync($"step {step}", "step", offered, count, options.MaxP99Ms));
                steps.Add(result);
                Say($"step {step}: {offered:0.0}/s → accepted {result.AcceptedPerSecond:0.0}/s, p99 {BenchReport.F(result.AcceptLatencyMs.P99, "0.0")} ms, " +
                    $"{result.AnsweredInTimeFraction * 100:0.0}% in time, delivered {BenchReport.F(result.DeliveredPerSecond, "0.0")}/s: {result.Verdict}");
                return result.Sustainable == true;
            }

            var rate = options.StartRate;
            double? failed = null;
            var stepNumber = 1;
            for (; rate <= options.MaxRate; stepNumber++, rate *= options.StepFactor)
            {
                if (!await StepAsync(stepNumber, rate))
                {
                    failed = rate;
                    stepNumber++;
                    break;
                }

                maxRate = rate;
                found = true;
            }

            // The steps grow by a factor, so the limit lies somewhere between the last good step and the
            // first failing one: a few more steps halve that gap (geometrically) each time.
            for (var refine = 0; found && failed is not null && refine < options.RefineSteps; refine++, stepNumber++)
            {
                var between = Math.Sqrt(maxRate!.Value * failed.Value);
                if (await StepAsync(stepNumber, between))
                {
                    maxRate = between;
                }
                else
                {
                    failed = between;
                }
            }

            if (!found)
            {
                Say($"warning: not even the first step ({options.StartRate}/s) was sustainable; the measured phases use fractions of it (try a lower --start-rate)");
                maxRate = options.StartRate;
            }
        }

        // 5. The measured phases at 50% and 90% of that rate.
        var phases = new List<PhaseResult>();
        foreach (var fraction in new[] { 0.5, 0.9 })
        {
            var rate = maxRate!.Value * fraction;
            var count = options.Count ?? Math.Max(1, (int)Math.Round(rate * options.DurationSeconds));
            var name = $"{fraction * 100:0}% of max";
            var result = await MeasureAsync(() => load.RunOpenLoopAsync(name, "measured", rate, count));
            phases.Add(result);
            Say($"{name}: {rate:0.0}/s × {count} → accepted {result.AcceptedPerSecond:0.0}/s, p50/p95/p99 " +
                $"{BenchReport.F(result.AcceptLatencyMs.P50, "0.0")}/{BenchReport.F(result.AcceptLatencyMs.P95, "0.0")}/{BenchReport.F(result.AcceptLatencyMs.P99, "0.0")} ms, " +
                $"to sink p50/p99 {BenchReport.F(result.AcceptToDeliveredMs.P50, "0")}/{BenchReport.F(result.AcceptToDeliveredMs.P99, "0")} ms, delivered {BenchReport.F(result.DeliveredPerSecond, "0.0")}/s");
        }

        // 6. The burst: K messages as fast as C closed-loop clients get them accepted. The service delivers
        // while it accepts, so the burst's delivered/s cannot exceed its accept rate.
        PhaseResult? burst = null;
        if (options.Burst > 0)
        {
            burst = await MeasureAsync(() => load.RunClosedLoopAsync($"burst {options.Burst}", "burst", options.Burst, concurrency));
            Say($"burst: {burst.Accepted} accepted at {burst.AcceptedPerSecond:0.0}/s, delivered {burst.Delivered} at {BenchReport.F(burst.DeliveredPerSecond, "0.0")}/s" +
                $"{(options.Drain > 0 ? "" : " (capacity)")}, {burst.Undelivered} undelivered");
        }

        // 7. Delivery capacity: N messages accepted (C closed-loop clients) while the sink holds every SMTP reply,
        // so that nothing is delivered and they pile up in the service; then the sink resumes and the service
        // delivers that backlog as fast as it can. Its delivered/s counts from the resume.
        PhaseResult? drain = null;
        StatementProfileResult? drainStatements = null;
        if (options.Drain > 0)
        {
            var profiling = service.Started && await StatementProfile.ResetAsync(options.Database);
            drain = await MeasureAsync(async () =>
            {
                PhaseRun run;
                var pausedAt = Stopwatch.GetTimestamp();
                try
                {
                    sink.Pause();
                    Say($"drain: SMTP sink paused, sending {options.Drain} requests");
                    run = await load.RunClosedLoopAsync($"drain {options.Drain}", "drain", options.Drain, concurrency);
                    // Every request is answered; a moment more for the service to take up the last ones.
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    run.ResumedCpu = CpuSnapshot.Take(servicePids);
                    var resumedAt = Stopwatch.GetTimestamp();
                    run.ResumedAt = resumedAt;
                    run.SinkPausedSeconds = Clock.Seconds(pausedAt, resumedAt);
                }
                finally
                {
                    sink.Resume();
                }

                Say($"drain: sink resumed after {run.SinkPausedSeconds:0.0} s, {run.Status.Count(PhaseRun.IsSuccess)} accepted messages to deliver");
                if (run.SinkPausedSeconds > 25)
                {
                    Say($"  warning: the sink held the service's deliveries for {run.SinkPausedSeconds:0} s; messages queued over 30 s get jobs of their own " +
                        $"(the service's outbox sweeper){(service.Started ? "" : " and held SMTP commands time out (30 s by default)")}: a smaller --drain measures the capacity better");
                }

                return run;
            });
            Say($"drain: {drain.Accepted} accepted at {drain.AcceptedPerSecond:0.0}/s with the sink paused, delivered {drain.Delivered} at " +
                $"{BenchReport.F(drain.DeliveredPerSecond, "0.0")}/s from the resume (capacity), {drain.Undelivered} undelivered");
            if (profiling && (drainStatements = await StatementProfile.ReadAsync(options.Database, "drain", drain.Delivered)) is { } profile)
            {
                Console.Write(profile.ToTable(options.StatementsShown));
            }

            if (drain.DeliveryCpu is { } deliveryCpu)
            {
                Say($"drain delivery alone: service {BenchReport.F(deliveryCpu.ServiceMsPerMessage, "0.000")} ms and PostgreSQL " +
                    $"{BenchReport.F(deliveryCpu.PostgresMsPerMessage, "0.000")} ms of CPU per delivered email ({deliveryCpu.ServicePercent}% and {deliveryCpu.PostgresPercent}% of one core)");
            }
        }

        // 8. The campaign: N sends with one schedule_at, far enough ahead for all of them to be accepted first;
        // then how late each one reaches the sink, and how many Hangfire jobs the service created for it.
        CampaignResult? campaign = null;
        if (options.Campaign > 0)
        {
            var n = options.Campaign;
            // Accepting a scheduled send costs about what a send does while nothing is delivered (the drain);
            // half of an earlier phase's accept rate leaves room for a busy machine.
            var (estimate, estimateSource) = burst is { AcceptedPerSecond: > 0 } ? (burst.AcceptedPerSecond, "the burst")
                : drain is { AcceptedPerSecond: > 0 } ? (drain.AcceptedPerSecond, "the drain")
                : warmup is { AcceptedPerSecond: > 0 } ? (warmup.AcceptedPerSecond, "the warm-up")
                : (0.0, "");
            var (lead, leadSource) = options.CampaignLeadSeconds is { } given ? (given, "--campaign-lead")
                : estimate > 0 ? ((n / (estimate / 2)) + 5, $"N ÷ half the accept rate of {estimateSource} ({estimate:0}/s) + 5 s")
                : ((n / 200.0) + 15, "N ÷ 200/s + 15 s");
            var jobsBefore = service.Started ? await HangfireJobCount.LastIdAsync(options.Database!) : (long?)null;
            PhaseRun? raw = null;
            var clock = WallClock.Now();
            // One instant: a whole second, as a campaign's time usually is.
            var scheduleAt = new DateTimeOffset(clock.Wall.AddSeconds(lead).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);
            Say($"campaign: {n} sends scheduled for {scheduleAt:HH:mm:ss}Z, {(scheduleAt - clock.Wall).TotalSeconds:0.0} s ahead (lead: {leadSource})");
            var phase = await MeasureAsync(
                async () => raw = await load.RunClosedLoopAsync($"campaign {n}", "campaign", n, concurrency, scheduleAt: scheduleAt),
                () => (scheduleAt - DateTimeOffset.UtcNow) + deliveryTimeout);
            // A full batch asks for one more run as it ends: give the last of those a moment to be created.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var jobs = jobsBefore is { } lastJob ? await HangfireJobCount.SinceAsync(options.Database!, lastJob) : null;
            campaign = CampaignResult.Analyze(raw!, phase, scheduleAt, clock, lead, leadSource, jobs);
            Say($"campaign: {campaign.Accepted} accepted in {campaign.AcceptSeconds:0.0} s ({campaign.AcceptMarginSeconds:0.0} s before its time), " +
                $"lateness p50/p99/max {BenchReport.F(campaign.LatenessMs.P50, "0")}/{BenchReport.F(campaign.LatenessMs.P99, "0")}/{BenchReport.F(campaign.LatenessMs.Max, "0")} ms, " +
                $"{campaign.Early} early, last sent {BenchReport.F(campaign.LastSentAfterSeconds, "0.00")} s after its time, " +
                $"Hangfire delivery jobs {(jobs is null ? "–" : $"{jobs.Total} ({jobs.Slot} slot, {jobs.DueRuns} due runs)")}: target {campaign.Verdict}");
        }

        // 9. The slow relay: a channel whose own relay (a second sink) waits before its reply to each message,
        // with max_connections K: delivered/s against the ideal K ÷ latency.
        SlowRelayResult? slowRelay = null;
        if (options.SlowRelayCount > 0)
        {
            var n = options.SlowRelayCount;
            await using var slowSink = new SmtpSink(tracker, TimeSpan.FromMilliseconds(options.SlowRelayLatencyMs));
            var slowChannel = $"bench-slow-{runId}@{DeliveryTracker.Domain}";
            await service.CreateRelayChannelAsync(apiKey, slowChannel, slowSink.Port, options.SlowRelayConnections);
            var ideal = options.SlowRelayConnections / (options.SlowRelayLatencyMs / 1000);
            Say($"slow relay: {n} sends through a channel relaying to 127.0.0.1:{slowSink.Port} (replies {options.SlowRelayLatencyMs:0} ms after each message, " +
                $"max_connections {options.SlowRelayConnections}: ideal {ideal:0.0}/s)");
            PhaseRun? raw = null;
            var phase = await MeasureAsync(
                async () => raw = await load.RunClosedLoopAsync($"slow relay {n}", "slow_relay", n, concurrency, from: slowChannel),
                () => TimeSpan.FromSeconds(n / ideal) + deliveryTimeout);
            slowRelay = SlowRelayResult.Analyze(raw!, phase, options.SlowRelayLatencyMs, options.SlowRelayConnections, slowSink.Connections, slowSink.PeakOpenConnections, slowSink.Timings?.Summary());
            Say($"slow relay: {slowRelay.Delivered} delivered at {BenchReport.F(slowRelay.DeliveredPerSecond, "0.0")}/s of an ideal {slowRelay.IdealPerSecond:0.0}/s " +
                $"(ratio {BenchReport.F(slowRelay.Ratio, "0.000")}), {slowRelay.SinkConnections} connections, at most {slowRelay.SinkPeakOpenConnections} open: target {slowRelay.Verdict}");
            if (slowRelay.PerConnection is { } t)
            {
                Say($"slow relay, per connection: a message every {BenchReport.F(t.CycleMeanMs, "0.0")} ms on average (p50 {BenchReport.F(t.CycleMs.P50, "0.0")}): " +
                    $"{BenchReport.F(t.ReplyDelayMeanMs, "0.0")} ms reply delay ({options.SlowRelayLatencyMs:0} asked) + {BenchReport.F(t.ReplyToNextMailMeanMs, "0.0")} ms from the reply to the next MAIL FROM + " +
                    $"{BenchReport.F(t.MailToFinalDotMeanMs, "0.0")} ms from MAIL FROM to the final dot");
            }
        }

        // 10. Inbound ingestion: the raw endpoint, then a mailbox with N emails waiting.
        var inbound = new List<InboundResult>();
        if (options.InboundRaw > 0)
        {
            var raw = await InboundBench.RawAsync(service.BaseAddress, apiKey, runId, options.InboundRaw, concurrency);
            inbound.Add(raw);
            Say($"inbound, raw endpoint: {raw.Stored} of {raw.Messages} stored in {BenchReport.F(raw.Seconds, "0.0")} s: {BenchReport.F(raw.PerSecond, "0.0")} messages/s ({raw.Errors} refused)");
        }

        if (options.InboundImap > 0)
        {
            var imap = await InboundBench.ImapAsync(service.BaseAddress, apiKey, runId, options.InboundImap, ImapTarget.FromEnvironment(), deliveryTimeout + TimeSpan.FromSeconds(options.InboundImap / 20.0));
            inbound.Add(imap);
            Say($"inbound, IMAP mailbox: {imap.Stored} of {imap.Messages} stored in {BenchReport.F(imap.Seconds, "0.0")} s: {BenchReport.F(imap.PerSecond, "0.0")} messages/s{(imap.Note is { } note ? $" ({note})" : "")}");
        }

        // Idle, at the end (JIT and pools settled): what the service costs with nothing to do (job polling,
        // timers), the baseline of the CPU columns.
        var idleSeconds = options.Quick ? 3 : 5;
        await load.WaitForBacklogAsync(deliveryTimeout);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idleBefore = CpuSnapshot.Take(servicePids);
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
        var idle = CpuSnapshot.Between(idleBefore, CpuSnapshot.Take(servicePids), servicePids.Count > 0, 0);
        Say($"idle for {idleSeconds} s: service {BenchReport.F(idle.ServicePercent, "0.0")}% CPU, PostgreSQL {idle.PostgresPercent:0.0}%, others {idle.OtherPercent:0.0}%");

        var databaseWork = DatabaseCounters.PerMessage(
            databaseBefore, service.Started ? await DatabaseCounters.ReadAsync(options.Database) : null, acceptedTotal);
        var memory = service.ReadMemory();
        var instanceReports = options.Instances > 1
            ? await InstancesReport.ReadAsync(instances, load.AcceptedBy, instanceTicksBefore, instancesSince, options.Database!, startedAt)
            : null;
        var serviceMessages = sink.Messages - sinkMessagesBefore;
        var serviceBytes = sink.Bytes - sinkBytesBefore;

        var atMax = steps.LastOrDefault(s => s.Sustainable == true)?.AcceptedPerSecond ?? phases.LastOrDefault()?.AcceptedPerSecond;
        // The drain's delivered/s when it ran; the burst's (capped by its accept rate) otherwise.
        var capacitySource = drain is not null ? "drain" : burst is not null ? "burst" : null;
        var capacity = drain is not null ? drain.DeliveredPerSecond : burst?.DeliveredPerSecond;
        var report = new BenchReport(
            "Modular.Benchmarks",
            Environment.GetEnvironmentVariable("MODULAR_BENCH_LABEL") ?? "",
            startedAt,
            DateTimeOffset.UtcNow,
            Environment.GetEnvironmentVariable("MODULAR_BENCH_COMMIT"),
            machine,
            new SettingsReport(concurrency, options.DurationSeconds, options.Count, options.Rate, options.StartRate, options.StepFactor,
                options.StepSeconds, options.MaxP99Ms, options.MinCompleted, options.MaxConnections, options.Burst, options.Drain, options.Campaign,
                options.CampaignLeadSeconds, options.SlowRelayCount, options.SlowRelayLatencyMs, options.SlowRelayConnections, options.WarmupSeconds,
                options.CeilingSeconds, options.DeliveryTimeoutSeconds, options.Quick),
            new ServiceReport(service.Started ? "started" : "external", service.BaseAddress.ToString(), service.Pid, memory,
                service.Started ? logPath : null),
            new CeilingsReport(insert, mailkit, mailkitPerMessage),
            busyBefore,
            idle,
            databaseWork,
            maxRate,
            found,
            warmup,
            steps,
            phases,
            burst,
            drain,
            campaign,
            slowRelay,
            new RatiosReport(
                atMax,
                Ratio(atMax, insert?.PerSecond),
                capacity,
                capacitySource,
                Ratio(capacity, mailkit?.PerSecond),
                Ratio(burst?.AcceptedPerSecond, insert?.PerSecond)),
            new SinkReport(sink.Messages, sink.Connections, sink.Bytes,
                serviceMessages > 0 ? Math.Round((double)serviceBytes / serviceMessages) : null, ceilingMessageBytes),
            webhookResults,
            inbound,
            drainStatements,
            instanceReports,
            preloaded);

        await File.WriteAllTextAsync(jsonPath, report.ToJson());
        Console.WriteLine();
        Console.Write(report.ToTable());
        Console.WriteLine($"JSON: {jsonPath}");

        PhaseResult?[] others = [burst, drain, campaign?.Phase, slowRelay?.Phase];
        var lost = phases.Sum(p => p.Undelivered) + others.Sum(p => p?.Undelivered ?? 0);
        var errors = phases.Sum(p => p.Errors) + others.Sum(p => p?.Errors ?? 0);
        if (lost > 0 || errors > 0)
        {
            Console.WriteLine($"note: {errors} requests of the measured phases failed and {lost} accepted messages were not delivered in time");
        }

        return 0;
    }

    private static async Task<ServiceUnderTest> StartServiceAsync(BenchOptions options, int smtpPort, string logPath)
    {
        Say($"starting the service: dotnet {options.ApiDll}");
        try
        {
            return await ServiceUnderTest.StartAsync(options.ApiDll!, options.Database!, smtpPort, logPath);
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
            if (File.Exists(logPath))
            {
                await Console.Error.WriteLineAsync($"--- last lines of {logPath}");
                foreach (var line in File.ReadLines(logPath).TakeLast(30))
                {
                    await Console.Error.WriteLineAsync(line);
                }
            }

            throw;
        }
    }

    /// <summary>The instances started after the first (--instances), stopped at the end of the run.</summary>
    private sealed class InstanceList : IAsyncDisposable
    {
        private readonly List<ServiceUnderTest> _services = [];

        public void Add(ServiceUnderTest service) => _services.Add(service);

        public async ValueTask DisposeAsync()
        {
            foreach (var service in _services)
            {
                await service.DisposeAsync();
            }
        }
    }

    private static double? Ratio(double? value, double? ceiling) =>
        value is { } v && ceiling is > 0 ? Math.Round(v / ceiling.Value, 4) : null;

    private static void Say(string message) =>
        Console.WriteLine($"[{Clock.Seconds(Started, Stopwatch.GetTimestamp()),7:0.0}s] {message}");

    /// <summary>Ctrl+C ends the service processes too.</summary>
    private sealed class ConsoleCancelHandler : IDisposable
    {
        private readonly IReadOnlyList<ServiceUnderTest> _services;

        public ConsoleCancelHandler(IReadOnlyList<ServiceUnderTest> services)
        {
            _services = services;
            Console.CancelKeyPress += OnCancel;
            AppDomain.CurrentDomain.ProcessExit += OnExit;
        }

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancel;
            AppDomain.CurrentDomain.ProcessExit -= OnExit;
        }

        private void OnCancel(object? sender, ConsoleCancelEventArgs e) => KillAll();

        private void OnExit(object? sender, EventArgs e) => KillAll();

        private void KillAll()
        {
            foreach (var service in _services.ToArray())
            {
                service.KillNow();
            }
        }
    }
}
