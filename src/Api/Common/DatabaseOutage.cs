using System.Diagnostics;

namespace Modular.Api.Common;

/// <summary>
/// The log of a database outage: one warning per interval (with how many requests were answered 503
/// since the last one), instead of an error with a stack trace per request.
/// </summary>
internal sealed partial class DatabaseOutage(ILogger<DatabaseOutage> logger)
{
    /// <summary>What clients are told to wait before trying again (<c>Retry-After</c>).</summary>
    public const int RetryAfterSeconds = 5;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private long _lastWarning;
    private int _unreported;

    /// <summary>A request found the database unavailable.</summary>
    public void Record(Exception exception)
    {
        lock (_gate)
        {
            _unreported++;
            if (_lastWarning != 0 && Stopwatch.GetElapsedTime(_lastWarning) < Interval)
            {
                return;
            }

            LogUnavailable(logger, _unreported, (int)Interval.TotalSeconds, Reason(exception));
            _unreported = 0;
            _lastWarning = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>The innermost message: "Connection refused", "terminating connection due to administrator command".</summary>
    private static string Reason(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning,
        Message = "The database is unavailable ({Reason}): {Count} request(s) answered 503 since the last warning (one warning per {IntervalSeconds} s at most)")]
    private static partial void LogUnavailable(ILogger logger, int count, int intervalSeconds, string reason);
}
