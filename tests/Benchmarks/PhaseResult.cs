using System.Globalization;

namespace Modular.Benchmarks;

/// <summary>The figures of one phase (a search step, a measured run, the burst, the warm-up).</summary>
internal sealed record PhaseResult(
    string Name,
    string Kind,
    double? OfferedPerSecond,
    int Requests,
    bool StoppedEarly,
    int Accepted,
    int Errors,
    IReadOnlyDictionary<string, int> ErrorsByStatus,
    double LoadSeconds,
    double AcceptedPerSecond,
    LatencySummary AcceptLatencyMs,
    double? AnsweredInTimeFraction,
    bool? Sustainable,
    string? Verdict,
    int PeakInFlight,
    LatencySummary? DispatchLagMs,
    int Delivered,
    int Undelivered,
    int DuplicateDeliveries,
    int DeliveredDespiteError,
    double? DeliveredPerSecond,
    LatencySummary AcceptToDeliveredMs,
    double DeliveryWaitSeconds,
    double? SinkPausedSeconds,
    CpuUsage? Cpu,
    MemoryStatus? ServiceMemory,
    CpuUsage? DeliveryCpu)
{
    /// <summary>
    /// Turns the raw record into figures. A search step is sustainable when at least --min-completed of
    /// its requests were answered 2xx before the step's window ended (t0 + its duration), none failed,
    /// the accept p99 is within --max-p99, and every accepted email reached the sink at a rate of at
    /// least --min-completed of the offered rate (delivery keeps up). Accept latency: scheduled start (open loop) or start (closed loop)
    /// to the end of the answer, 2xx only. Accept-to-delivered: the answer's arrival to the sink's receipt.
    /// delivered/s: open loop, delivered ÷ (first scheduled start → last receipt); closed loop (the burst),
    /// delivered ÷ (first receipt → last receipt); the drain, delivered ÷ (the sink's resume → last receipt).
    /// </summary>
    public static PhaseResult Analyze(PhaseRun run, BenchOptions options, CpuUsage? cpu, MemoryStatus? memory)
    {
        var n = run.Offered;
        var latencies = new double[n];
        var toSink = new double[n];
        var lags = run.Rate is null ? null : new double[n];
        int accepted = 0, errors = 0, inTime = 0, delivered = 0, undelivered = 0, deliveredDespiteError = 0;
        var errorsByStatus = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var lastDone = run.T0;
        var inTimeLimit = run.WindowEnd;
        for (var i = 0; i < n; i++)
        {
            lastDone = Math.Max(lastDone, run.Done[i]);
            if (lags is not null)
            {
                lags[i] = Clock.Ms(run.Scheduled[i], run.Started[i]);
            }

            var status = run.Status[i];
            if (!PhaseRun.IsSuccess(status))
            {
                errors++;
                var key = status switch
                {
                    PhaseRun.TimedOut => "timeout",
                    PhaseRun.ConnectionFailed => "connection_failed",
                    _ => status.ToString(CultureInfo.InvariantCulture),
                };
                errorsByStatus[key] = errorsByStatus.GetValueOrDefault(key) + 1;
                if (run.Deliveries.At(i) != 0)
                {
                    deliveredDespiteError++;
                }

                continue;
            }

            latencies[accepted++] = Clock.Ms(run.Scheduled[i], run.Done[i]);
            if (run.Done[i] <= inTimeLimit)
            {
                inTime++;
            }

            var at = run.Deliveries.At(i);
            if (at != 0)
            {
                toSink[delivered++] = Clock.Ms(run.Done[i], at);
            }
            else
            {
                undelivered++;
            }
        }

        var loadSeconds = Clock.Seconds(run.T0, lastDone);
        var acceptLatency = LatencySummary.Of(latencies, accepted);

        double? deliveredPerSecond = null;
        if (delivered > 0)
        {
            var from = run.ResumedAt ?? (run.Rate is null ? run.Deliveries.First : run.T0);
            var seconds = Clock.Seconds(from, run.Deliveries.Last);
            deliveredPerSecond = seconds > 0 ? Math.Round(delivered / seconds, 1) : null;
        }

        double? inTimeFraction = null;
        bool? sustainable = null;
        string? verdict = null;
        if (run.Kind == "step")
        {
            inTimeFraction = run.Count == 0 ? 0 : Math.Round((double)inTime / run.Count, 4);
            var reasons = new List<string>();
            if (run.StoppedEarly)
            {
                reasons.Add($"stopped after {n} of {run.Count} requests (over 1% already slower than {options.MaxP99Ms:0} ms)");
            }

            if (errors > 0)
            {
                reasons.Add($"{errors} non-2xx");
            }

            if (inTimeFraction < options.MinCompleted)
            {
                reasons.Add($"{inTimeFraction * 100:0.0}% answered 2xx within the step < {options.MinCompleted * 100:0.#}%");
            }

            if (acceptLatency.P99 is not { } p99 || p99 > options.MaxP99Ms)
            {
                reasons.Add($"p99 {acceptLatency.P99:0} ms > {options.MaxP99Ms:0} ms");
            }

            // Accepting faster than delivering only grows a queue: the step's emails must all reach the
            // sink, at a rate (first scheduled start → last receipt) of at least --min-completed of the
            // offered rate. On a 5 s step that leaves the last emails 150 ms after the step's end.
            if (undelivered > 0)
            {
                reasons.Add($"{undelivered} accepted emails not delivered");
            }
            else if (deliveredPerSecond is not { } deliveredRate || deliveredRate < options.MinCompleted * run.Rate!.Value)
            {
                reasons.Add($"delivery fell behind: {deliveredPerSecond:0.0}/s delivered < {options.MinCompleted * 100:0.#}% of {run.Rate:0.0}/s offered");
            }

            sustainable = reasons.Count == 0;
            verdict = sustainable.Value ? "sustainable" : "not sustainable: " + string.Join(", ", reasons);
        }

        return new PhaseResult(
            run.Name,
            run.Kind,
            run.Rate is { } rate ? Math.Round(rate, 2) : null,
            n,
            run.StoppedEarly,
            accepted,
            errors,
            errorsByStatus,
            Math.Round(loadSeconds, 3),
            loadSeconds > 0 ? Math.Round(accepted / loadSeconds, 1) : 0,
            acceptLatency,
            inTimeFraction,
            sustainable,
            verdict,
            run.PeakInFlight,
            lags is null ? null : LatencySummary.Of(lags, n),
            delivered,
            undelivered,
            run.Deliveries.Duplicates,
            deliveredDespiteError,
            deliveredPerSecond,
            LatencySummary.Of(toSink, delivered),
            Math.Round(run.DeliveryWaitSeconds, 2),
            run.SinkPausedSeconds is { } paused ? Math.Round(paused, 2) : null,
            cpu,
            memory,
            run.DeliveryCpu);
    }
}
