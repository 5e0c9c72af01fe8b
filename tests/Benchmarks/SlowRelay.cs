namespace Modular.Benchmarks;

/// <summary>
/// The slow relay: N messages through a channel whose own relay (a second sink) waits
/// <see cref="LatencyMs"/> before its reply to each whole message, with <see cref="MaxConnections"/>
/// connections allowed. Ideal: each connection carries one message per latency, so
/// max_connections ÷ latency messages per second; the target is at least 90% of it.
/// </summary>
internal sealed record SlowRelayResult(
    int Messages,
    double LatencyMs,
    int MaxConnections,
    int Accepted,
    int Errors,
    int Delivered,
    int Undelivered,
    double? DeliverySeconds,
    double? DeliveredPerSecond,
    double IdealPerSecond,
    double? Ratio,
    double Target,
    bool? TargetMet,
    string Verdict,
    long SinkConnections,
    int SinkPeakOpenConnections,
    Smtp.SinkTimingSummary? PerConnection,
    PhaseResult Phase)
{
    public const double TargetRatio = 0.90;

    /// <summary>
    /// delivered/s: (delivered − max_connections) ÷ (first receipt → last receipt). From the first receipt to
    /// the last, each connection carries its messages but its first one, whose receipt starts the clock: with
    /// 4 connections and 200 messages, delivered ÷ span would read 2% high.
    /// </summary>
    public static SlowRelayResult Analyze(
        PhaseRun run, PhaseResult phase, double latencyMs, int maxConnections, long sinkConnections, int sinkPeakOpen, Smtp.SinkTimingSummary? perConnection)
    {
        var ideal = maxConnections / (latencyMs / 1000);
        double? span = phase.Delivered > 1 ? Clock.Seconds(run.Deliveries.First, run.Deliveries.Last) : null;
        double? perSecond = span is > 0 && phase.Delivered > maxConnections ? (phase.Delivered - maxConnections) / span.Value : null;
        double? ratio = perSecond is { } p ? Math.Round(p / ideal, 3) : null;

        bool? met;
        string verdict;
        if (phase.Errors > 0 || phase.Undelivered > 0)
        {
            met = false;
            verdict = $"not met: {phase.Errors} sends refused, {phase.Undelivered} accepted messages not delivered";
        }
        else if (ratio is null)
        {
            met = null;
            verdict = $"no verdict: too few messages (more than max_connections, {maxConnections}, are needed)";
        }
        else
        {
            met = ratio >= TargetRatio;
            verdict = met.Value ? "met" : $"not met: {ratio:0.000} < {TargetRatio:0.00}";
        }

        return new SlowRelayResult(
            run.Count,
            latencyMs,
            maxConnections,
            phase.Accepted,
            phase.Errors,
            phase.Delivered,
            phase.Undelivered,
            span is { } s ? Math.Round(s, 3) : null,
            perSecond is { } d ? Math.Round(d, 1) : null,
            Math.Round(ideal, 1),
            ratio,
            TargetRatio,
            met,
            verdict,
            sinkConnections,
            sinkPeakOpen,
            perConnection,
            phase);
    }
}
