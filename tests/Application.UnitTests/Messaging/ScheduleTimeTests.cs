using Modular.Application.Messaging;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Common;

namespace Modular.Application.UnitTests.Messaging;

public sealed class ScheduleTimeTests
{
    [Theory]
    [InlineData("2025-06-02T09:00:00Z", "2025-06-02T09:00:00+00:00")]
    [InlineData("2025-06-02T09:00:00z", "2025-06-02T09:00:00+00:00")]
    [InlineData("2025-06-02T11:00:00+02:00", "2025-06-02T09:00:00+00:00")]
    [InlineData("2025-06-02T04:30:00-04:30", "2025-06-02T09:00:00+00:00")]
    [InlineData("2025-06-02T09:00Z", "2025-06-02T09:00:00+00:00")]
    [InlineData("2025-06-02T09:00:00.5Z", "2025-06-02T09:00:00.5+00:00")]
    public void A_date_time_with_an_offset_is_read_as_utc(string value, string expected)
    {
        var parsed = ScheduleTime.Parse(value, Clock.Now);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed.Value);
        Assert.Equal(TimeSpan.Zero, parsed.Value.Offset);
    }

    [Fact]
    public void An_offset_without_a_colon_is_read_too()
    {
        var parsed = ScheduleTime.Parse("2025-06-02T11:00:00+0200", Clock.Now);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(new DateTimeOffset(2025, 6, 2, 9, 0, 0, TimeSpan.Zero), parsed.Value);
    }

    [Theory]
    [InlineData("2030-01-01T09:00:00")]
    [InlineData("2030-01-01T09:00:00.000")]
    [InlineData("2030-01-01")]
    [InlineData("01/06/2030 09:00 +00:00")]
    [InlineData("2030-01-01T09:00:00 Z")]
    [InlineData(" 2025-06-02T09:00:00Z")]
    [InlineData("2025-13-02T09:00:00Z")]
    [InlineData("2025-06-02T09:00:00+15:00")]
    [InlineData("")]
    public void Anything_but_iso_8601_with_an_offset_is_a_validation_error_on_schedule_at(string value)
    {
        var parsed = ScheduleTime.Parse(value, Clock.Now);

        Assert.True(parsed.IsFailure);
        Assert.Equal(ErrorType.Validation, parsed.Error!.Type);
        Assert.Equal(["schedule_at"], parsed.Error.Fields!.Keys);
        Assert.Equal("Must be an ISO 8601 date-time with an offset or Z, such as 2030-01-31T09:00:00Z.", parsed.Error.Message);
    }

    [Fact]
    public void A_trailing_line_feed_is_not_iso_8601()
    {
        var parsed = ScheduleTime.Parse("2025-06-02T09:00:00Z\n", Clock.Now);

        Assert.True(parsed.IsFailure);
        Assert.Equal(["schedule_at"], parsed.Error!.Fields!.Keys);
    }

    [Fact]
    public void At_most_365_days_ahead_of_now_is_accepted()
    {
        var limit = Clock.Now + ScheduleTime.MaxAhead;

        Assert.Equal(TimeSpan.FromDays(365), ScheduleTime.MaxAhead);
        Assert.Equal(limit, ScheduleTime.Parse(limit.ToString("O"), Clock.Now).Value);

        var beyond = ScheduleTime.Parse(limit.AddSeconds(1).ToString("O"), Clock.Now);
        Assert.True(beyond.IsFailure);
        Assert.Equal(["schedule_at"], beyond.Error!.Fields!.Keys);
        Assert.Equal("Must be at most 365 days ahead.", beyond.Error.Message);
    }

    [Fact]
    public void The_year_ahead_compares_instants_not_local_times()
    {
        // 365 days ahead in UTC, written in a zone ahead of UTC: the same instant, so accepted.
        var parsed = ScheduleTime.Parse("2026-06-01T14:00:00+02:00", Clock.Now);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.True(ScheduleTime.Parse("2026-06-01T14:00:01+02:00", Clock.Now).IsFailure);
    }

    [Theory]
    [InlineData("2025-06-01T12:00:00Z")]
    [InlineData("2025-06-01T11:00:00Z")]
    [InlineData("1999-12-31T23:59:59-08:00")]
    public void Now_and_the_past_are_accepted(string value)
    {
        var parsed = ScheduleTime.Parse(value, Clock.Now);

        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.True(parsed.Value <= Clock.Now);
    }
}
