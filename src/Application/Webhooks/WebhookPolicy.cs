namespace Modular.Application.Webhooks;

/// <summary>How webhooks are dispatched and retried (<c>Webhooks</c> section).</summary>
public sealed record WebhookPolicy
{
    /// <summary>Waits between attempts: about 27.5 hours in all, so a receiver may be away for a day.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>A receiver must answer 2xx within this; the whole request (connect, send, answer, excerpt) is bounded by it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>An endpoint is disabled after this many consecutive events whose delivery failed for good.</summary>
    public int DisableAfter { get; init; } = 30;

    /// <summary>Deliveries one claim takes at most; they are sent side by side, at most <see cref="Concurrency"/> at once.</summary>
    public int BatchSize { get; init; } = 100;

    public int Concurrency { get; init; } = 32;

    /// <summary>A dispatch run woken by commits stays this long after its last work, waiting to be woken again.</summary>
    public TimeSpan StayAwake { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>While awake and idle, a run looks for due retries this often.</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A claimed delivery whose process died is taken again after this.</summary>
    public TimeSpan Lease => Timeout + TimeSpan.FromSeconds(10);

    /// <summary>When to try again after the given number of failed attempts; null when none is left.</summary>
    public DateTimeOffset? NextAttemptAt(int failedAttempts, DateTimeOffset now) =>
        failedAttempts <= RetryDelays.Count ? now + RetryDelays[failedAttempts - 1] : null;
}
