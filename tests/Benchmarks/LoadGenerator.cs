using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Modular.Benchmarks;

/// <summary>
/// Sends <c>POST /v1/messaging/email</c>: open loop (request i starts at t0 + i/R whatever the earlier
/// answers do; its latency counts from that scheduled time, so a slow service cannot hide its queue) or
/// closed loop (C clients, each sending its next request when the previous one is answered). Every request
/// goes to its own address, so the sink can tell when each one was delivered.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private static readonly Uri SendUri = new("/v1/messaging/email", UriKind.Relative);

    private readonly HttpClient _http;
    private readonly DeliveryTracker _tracker;
    private readonly string _from;
    private readonly List<PhaseRun> _runs = [];
    private int _nextPhase;

    /// <summary>The services requests go to, in turn (several with --instances).</summary>
    private readonly Uri[] _sendUris;
    private readonly int[] _acceptedBy;
    private int _nextTarget = -1;

    public LoadGenerator(IReadOnlyList<Uri> baseAddresses, string apiKey, string from, int maxConnections, DeliveryTracker tracker)
    {
        _tracker = tracker;
        _from = from;
        _sendUris = [.. baseAddresses.Select(b => new Uri(b, SendUri))];
        _acceptedBy = new int[_sendUris.Length];
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _http.DefaultRequestHeaders.ExpectContinue = false;
    }

    /// <summary>Requests each service accepted (2xx), in the order of the addresses given.</summary>
    public IReadOnlyList<int> AcceptedBy => [.. Enumerable.Range(0, _acceptedBy.Length).Select(i => Volatile.Read(ref _acceptedBy[i]))];

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Offers <paramref name="count"/> requests at <paramref name="rate"/> per second; returns when all are answered.
    /// With <paramref name="abortOverMs"/>, stops offering as soon as more than 1% of the requests are
    /// certain to take longer than that (answered late, failed, or still unanswered that long after their
    /// scheduled start): the p99 is then over the limit whatever happens next, and going on would only
    /// bury the service (and the phases after it) under a backlog.
    /// </summary>
    public async Task<PhaseRun> RunOpenLoopAsync(string name, string kind, double rate, int count, double? abortOverMs = null)
    {
        var run = NewRun(name, kind, count, rate);
        var interval = Stopwatch.Frequency / rate;
        var t0 = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50);
        run.Begin(t0, t0 + (long)(count * interval));
        var limitTicks = abortOverMs is { } ms ? Clock.Ticks(ms / 1000) : long.MaxValue;
        var lateAllowed = count - (int)Math.Ceiling(0.99 * count);
        int checkedUpTo = 0, late = 0;
        var nextCheck = t0;
        for (var i = 0; i < count; i++)
        {
            var due = t0 + (long)(i * interval);
            long now;
            while ((now = Stopwatch.GetTimestamp()) < due)
            {
                // Wake at (or just after) the due time; a late wake-up is counted in the latency,
                // which is measured from `due`.
                await Task.Delay((int)Math.Ceiling((due - now) * 1000.0 / Stopwatch.Frequency));
            }

            if (abortOverMs is not null && now >= nextCheck)
            {
                nextCheck = now + (Stopwatch.Frequency / 50);
                var cutoff = now - limitTicks;
                for (; checkedUpTo < i && run.Scheduled[checkedUpTo] <= cutoff; checkedUpTo++)
                {
                    var done = Volatile.Read(ref run.Done[checkedUpTo]);
                    if (done == 0 || done - run.Scheduled[checkedUpTo] > limitTicks || !PhaseRun.IsSuccess(run.Status[checkedUpTo]))
                    {
                        late++;
                    }
                }

                if (late > lateAllowed)
                {
                    run.StopOffering(i);
                    break;
                }
            }

            run.Scheduled[i] = due;
            run.Started[i] = now;
            _ = SendAsync(run, i);
        }

        await run.Completion;
        return run;
    }

    /// <summary>
    /// <paramref name="concurrency"/> clients send <paramref name="count"/> requests as fast as they are answered
    /// (or fewer: none is started after <paramref name="maxSeconds"/>), from the benchmark's channel or from
    /// <paramref name="from"/>, each with <paramref name="scheduleAt"/> as its <c>schedule_at</c> when given.
    /// </summary>
    public async Task<PhaseRun> RunClosedLoopAsync(
        string name, string kind, int count, int concurrency, double? maxSeconds = null, string? from = null, DateTimeOffset? scheduleAt = null)
    {
        var run = NewRun(name, kind, count, null);
        run.From = from;
        run.ScheduleAt = scheduleAt;
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        var stopAt = maxSeconds is { } seconds ? start + Clock.Ticks(seconds) : long.MaxValue;
        run.Begin(start, 0);

        async Task ClientAsync()
        {
            int i;
            while (Stopwatch.GetTimestamp() < stopAt && (i = Interlocked.Increment(ref next)) < count)
            {
                var now = Stopwatch.GetTimestamp();
                run.Scheduled[i] = now;
                run.Started[i] = now;
                await SendAsync(run, i);
            }
        }

        var clients = new Task[Math.Max(1, Math.Min(concurrency, count))];
        for (var c = 0; c < clients.Length; c++)
        {
            clients[c] = ClientAsync();
        }

        await Task.WhenAll(clients);
        run.StopOffering(Math.Min(count, Volatile.Read(ref next) + 1));
        await run.Completion;
        return run;
    }

    /// <summary>Waits until every accepted request of <paramref name="run"/> reached the sink, or the timeout.</summary>
    public static async Task WaitForDeliveriesAsync(PhaseRun run, TimeSpan timeout, Action<string> progress)
    {
        var start = Stopwatch.GetTimestamp();
        var deadline = start + Clock.Ticks(timeout.TotalSeconds);
        var nextReport = start + Clock.Ticks(10);
        int pending;
        while ((pending = run.PendingDeliveries()) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            if (Stopwatch.GetTimestamp() >= nextReport)
            {
                progress($"  … {run.Name}: {pending} accepted messages not delivered yet");
                nextReport += Clock.Ticks(10);
            }

            await Task.Delay(50);
        }

        run.DeliveryWaitSeconds = Clock.Seconds(start, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Waits until the accepted messages of every earlier phase were delivered (or the timeout), so that each
    /// phase starts with an empty queue. Messages still missing after that are not waited for again.
    /// </summary>
    public async Task<int> WaitForBacklogAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + Clock.Ticks(timeout.TotalSeconds);
        int pending;
        while ((pending = _runs.Where(r => !r.GivenUp).Sum(r => r.PendingDeliveries())) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var run in _runs.Where(r => r.PendingDeliveries() > 0))
        {
            run.GivenUp = true;
        }

        return pending;
    }

    private PhaseRun NewRun(string name, string kind, int count, double? rate)
    {
        var phase = _nextPhase++;
        var run = new PhaseRun(name, kind, phase, count, rate, _tracker.Register(phase, count));
        _runs.Add(run);
        return run;
    }

    private async Task SendAsync(PhaseRun run, int i)
    {
        run.EnterFlight();
        short status;
        try
        {
            var target = (int)((uint)Interlocked.Increment(ref _nextTarget) % (uint)_sendUris.Length);
            using var request = new HttpRequestMessage(HttpMethod.Post, _sendUris[target]) { Content = Body(run, i) };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
            status = (short)response.StatusCode;
            if (PhaseRun.IsSuccess(status))
            {
                Interlocked.Increment(ref _acceptedBy[target]);
            }
        }
        catch (TaskCanceledException)
        {
            status = PhaseRun.TimedOut;
        }
        catch (HttpRequestException)
        {
            status = PhaseRun.ConnectionFailed;
        }

        run.Complete(i, status, Stopwatch.GetTimestamp());
    }

    private ByteArrayContent Body(PhaseRun run, int index)
    {
        var schedule = run.ScheduleAt is { } at
            ? string.Create(CultureInfo.InvariantCulture, $",\"schedule_at\":\"{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\"")
            : "";
        var json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"from\":\"{run.From ?? _from}\",\"to\":\"{_tracker.Address(run.PhaseId, index)}\",\"subject\":\"{BenchMessage.Subject}\",\"body\":{BenchMessage.HtmlJson}{schedule}}}");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}

/// <summary>The raw record of one phase: per request its scheduled start, actual start, answer time and status.</summary>
internal sealed class PhaseRun
{
    /// <summary>Status of a request the client gave up on (HttpClient timeout).</summary>
    public const short TimedOut = -2;

    /// <summary>Status of a request that got no HTTP answer (connection refused or reset).</summary>
    public const short ConnectionFailed = -1;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;
    private int _inFlight;
    private int _peakInFlight;

    public PhaseRun(string name, string kind, int phaseId, int count, double? rate, PhaseDeliveries deliveries)
    {
        Name = name;
        Kind = kind;
        PhaseId = phaseId;
        Count = count;
        Rate = rate;
        Deliveries = deliveries;
        Scheduled = new long[count];
        Started = new long[count];
        Done = new long[count];
        Status = new short[count];
        _remaining = count;
        Offered = count;
        if (count == 0)
        {
            _completion.SetResult();
        }
    }

    public string Name { get; }

    public string Kind { get; }

    public int PhaseId { get; }

    public int Count { get; }

    /// <summary>Offered requests per second (open loop), or null (closed loop).</summary>
    public double? Rate { get; }

    public PhaseDeliveries Deliveries { get; }

    public long[] Scheduled { get; }

    public long[] Started { get; }

    public long[] Done { get; }

    public short[] Status { get; }

    /// <summary>The first request's scheduled start.</summary>
    public long T0 { get; private set; }

    /// <summary>Open loop: when the last request was due plus one interval (the end of the offered window).</summary>
    public long WindowEnd { get; private set; }

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public double DeliveryWaitSeconds { get; set; }

    /// <summary>
    /// The drain: when the sink was resumed (a <see cref="Stopwatch"/> timestamp), from which its delivered/s
    /// is counted; null for every other phase.
    /// </summary>
    public long? ResumedAt { get; set; }

    /// <summary>The drain: how long the sink held its replies, seconds.</summary>
    public double? SinkPausedSeconds { get; set; }

    /// <summary>The channel address the requests are sent from; null: the benchmark's channel.</summary>
    public string? From { get; set; }

    /// <summary>The campaign: the <c>schedule_at</c> of every request; null: sent now.</summary>
    public DateTimeOffset? ScheduleAt { get; set; }

    /// <summary>The drain: CPU counters at the resume, to tell the delivery's own CPU from the accepting's.</summary>
    public CpuSnapshot? ResumedCpu { get; set; }

    /// <summary>The drain: CPU from the resume to the last delivery, per delivered email.</summary>
    public CpuUsage? DeliveryCpu { get; set; }

    public Task Completion => _completion.Task;

    /// <summary>Requests actually sent (fewer than <see cref="Count"/> when a search step was stopped early).</summary>
    public int Offered { get; private set; }

    public bool StoppedEarly => Offered < Count;

    /// <summary>Its missing deliveries are no longer waited for.</summary>
    public bool GivenUp { get; set; }

    public static bool IsSuccess(short status) => status is >= 200 and < 300;

    public void Begin(long t0, long windowEnd)
    {
        T0 = t0;
        WindowEnd = windowEnd;
    }

    public void EnterFlight()
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
        {
        }
    }

    /// <summary>No requests from <paramref name="offered"/> on will be sent.</summary>
    public void StopOffering(int offered)
    {
        var unsent = Count - offered;
        Offered = offered;
        if (unsent > 0 && Interlocked.Add(ref _remaining, -unsent) == 0)
        {
            _completion.TrySetResult();
        }
    }

    public void Complete(int index, short status, long timestamp)
    {
        Status[index] = status;
        Volatile.Write(ref Done[index], timestamp);
        Interlocked.Decrement(ref _inFlight);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>Accepted (2xx) requests the sink has not received yet.</summary>
    public int PendingDeliveries()
    {
        if (!_completion.Task.IsCompleted)
        {
            return int.MaxValue / 1024;
        }

        var accepted = 0;
        for (var i = 0; i < Offered; i++)
        {
            if (IsSuccess(Status[i]))
            {
                accepted++;
            }
        }

        if (Deliveries.Delivered < accepted)
        {
            return accepted - Deliveries.Delivered;
        }

        var pending = 0;
        for (var i = 0; i < Offered; i++)
        {
            if (IsSuccess(Status[i]) && Deliveries.At(i) == 0)
            {
                pending++;
            }
        }

        return pending;
    }
}
