using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Modular.Benchmarks;

/// <summary>
/// The benchmark's webhook receiver (HttpListener on 127.0.0.1): answers 204 at once and records, per
/// benchmark request (by the <c>recipient</c> of its <c>message.sent</c> event), the lag from the state
/// change (the event's <c>timestamp</c>) to receipt, and the receipt time.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly DeliveryTracker _tracker;
    private readonly ConcurrentDictionary<int, ConcurrentQueue<(double LagMs, long At)>> _phases = new();
    private readonly Task _loop;
    private int _received;

    public WebhookReceiver(DeliveryTracker tracker)
    {
        _tracker = tracker;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/webhooks";

    /// <summary>Every request received.</summary>
    public int Received => Volatile.Read(ref _received);

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) for the events of <paramref name="expected"/> requests of the
    /// phase, then its figures: events received, lag p50/p99/max, events per second between the first and the last.
    /// </summary>
    public async Task<WebhookPhaseResult> ResultAsync(string name, int phaseId, int expected, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var queue = _phases.GetOrAdd(phaseId, _ => new ConcurrentQueue<(double, long)>());
        while (queue.Count < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        var all = queue.ToArray();
        var lags = all.Select(r => r.LagMs).Order().ToArray();
        double? Percentile(double p) => lags.Length == 0 ? null : lags[Math.Min(lags.Length - 1, (int)Math.Ceiling(p * lags.Length) - 1)];
        double? perSecond = null;
        if (all.Length > 1)
        {
            var seconds = (all.Max(r => r.At) - all.Min(r => r.At)) / (double)Stopwatch.Frequency;
            perSecond = seconds > 0 ? Math.Round(all.Length / seconds, 1) : null;
        }

        return new WebhookPhaseResult(name, expected, all.Length, Percentile(0.5), Percentile(0.99), lags.Length == 0 ? null : lags[^1], perSecond);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
        }

        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var at = Stopwatch.GetTimestamp();
        var now = DateTimeOffset.UtcNow;
        try
        {
            using var body = JsonDocument.Parse(context.Request.InputStream);
            Interlocked.Increment(ref _received);
            var root = body.RootElement;
            var recipient = root.GetProperty("data").GetProperty("recipient").GetString();
            var happened = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
            if (recipient is not null && _tracker.TryPhaseOf(recipient, out var phase))
            {
                _phases.GetOrAdd(phase, _ => new ConcurrentQueue<(double, long)>()).Enqueue(((now - happened).TotalMilliseconds, at));
            }

            context.Response.StatusCode = 204;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            context.Response.StatusCode = 400;
        }

        try
        {
            context.Response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>Webhook figures of one phase: events received, lag from state change to receipt, events per second.</summary>
internal sealed record WebhookPhaseResult(string Phase, int Expected, int Received, double? LagP50Ms, double? LagP99Ms, double? LagMaxMs, double? EventsPerSecond)
{
    /// <summary>The target, at half the maximum send rate: lag p99 at most 1 s.</summary>
    public string? Verdict => Phase.StartsWith("50%", StringComparison.Ordinal)
        ? (LagP99Ms is { } p99 && p99 <= 1000 && Received >= Expected ? "met" : "not met")
        : null;
}
