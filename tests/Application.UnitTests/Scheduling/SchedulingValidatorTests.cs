using Modular.Application.Messaging.ListMessages;
using Modular.Application.Scheduling.RescheduleMessage;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Messaging;

namespace Modular.Application.UnitTests.Scheduling;

public sealed class SchedulingValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly RescheduleMessageValidator Reschedule = new(new FixedClock(Now));
    private static readonly ListMessagesValidator List = new();

    [Theory]
    [InlineData("2026-11-23T13:00:00Z")]
    [InlineData("2026-11-23T14:00:00+01:00")]
    [InlineData("2026-11-23T11:00:00Z")]
    public void Reschedule_takes_a_time_with_an_offset(string at) =>
        ValidationAssert.Valid(Reschedule.Validate(new RescheduleMessageCommand(1, at)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-11-23T13:00:00")]
    [InlineData("next tuesday")]
    [InlineData("2027-11-24T12:00:01Z")]
    public void Reschedule_refuses_a_missing_local_or_far_time(string? at) =>
        ValidationAssert.FailsOnlyOn(Reschedule.Validate(new RescheduleMessageCommand(1, at)), "ScheduleAt");

    [Theory]
    [InlineData(null)]
    [InlineData("scheduled")]
    [InlineData("SENT")]
    [InlineData("uncertain")]
    public void Message_list_takes_a_known_status(string? status) =>
        ValidationAssert.Valid(List.Validate(new ListMessagesQuery(status, 10, 0)));

    [Theory]
    [InlineData("pending")]
    [InlineData("")]
    public void Message_list_refuses_an_unknown_status(string status) =>
        ValidationAssert.FailsOnlyOn(List.Validate(new ListMessagesQuery(status, null, null)), "Status");

    [Theory]
    [InlineData(0, 0, "Limit")]
    [InlineData(501, 0, "Limit")]
    [InlineData(10, -1, "Offset")]
    public void Message_list_pages_within_bounds(int limit, int offset, string field) =>
        Assert.Contains(List.Validate(new ListMessagesQuery(null, limit, offset)).Errors, e => e.PropertyName.Equals(field, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void Every_delivery_status_parses_from_its_wire_name() =>
        Assert.All(Enum.GetValues<DeliveryStatus>(), s => Assert.Equal(s, MessagesPageSpec.ParseStatus(Message.Format(s))));
}
