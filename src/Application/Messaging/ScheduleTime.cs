using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;
using Modular.Domain.Common;

namespace Modular.Application.Messaging;

/// <summary>Reads <c>schedule_at</c>: ISO 8601 with an offset or Z, at most a year ahead.</summary>
public static partial class ScheduleTime
{
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(365);

    public static Result<DateTimeOffset> Parse(string value, DateTimeOffset now)
    {
        if (!OffsetSuffix().IsMatch(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return Error.Validation("schedule_at", "Must be an ISO 8601 date-time with an offset or Z, such as 2030-01-31T09:00:00Z.");
        }

        if (at - now > MaxAhead)
        {
            return Error.Validation("schedule_at", "Must be at most 365 days ahead.");
        }

        return at.ToUniversalTime();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OffsetSuffix();
}

/// <summary>The <c>schedule_at</c> rule for validators of the send and scheduling use cases.</summary>
public static class ScheduleTimeRules
{
    /// <summary><c>schedule_at</c>: ISO 8601 with an offset or Z, at most a year ahead (see <see cref="Messaging.ScheduleTime"/>).</summary>
    public static IRuleBuilderOptionsConditions<T, string?> ScheduleTime<T>(this IRuleBuilder<T, string?> rule, TimeProvider clock) =>
        rule.Custom((value, context) =>
        {
            if (!string.IsNullOrEmpty(value) && Messaging.ScheduleTime.Parse(value, clock.GetUtcNow()) is { IsFailure: true } parsed)
            {
                context.AddFailure(parsed.Error!.Message);
            }
        });
}
