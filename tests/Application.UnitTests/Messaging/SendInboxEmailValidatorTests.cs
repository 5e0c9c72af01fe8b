using Modular.Application.Messaging.SendInboxEmail;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Messaging;

public sealed class SendInboxEmailValidatorTests
{
    private static readonly SendInboxEmailCommand NewConversation = new(
        CreatorId: 1,
        Inbox: 2,
        Text: "<p>Hello</p>",
        RawText: "Hello",
        LocalId: null,
        ConvTitle: "Your order",
        Targets: ["to:ann@example.com"],
        ConvoId: null,
        ScheduleAt: null);

    private static readonly SendInboxEmailCommand Reply = NewConversation with { ConvTitle = null, Targets = null, ConvoId = 9 };

    private readonly SendInboxEmailValidator _validator = new(new FixedClock(), new Modular.Infrastructure.Messaging.MimeKitAddressListParser());

    [Fact]
    public void A_send_that_starts_a_conversation_is_valid() => ValidationAssert.Valid(_validator.Validate(NewConversation));

    [Fact]
    public void A_reply_in_a_conversation_is_valid() => ValidationAssert.Valid(_validator.Validate(Reply));

    [Fact]
    public void A_reply_may_send_an_empty_targets_list() =>
        ValidationAssert.Valid(_validator.Validate(Reply with { Targets = [] }));

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void A_creator_id_above_zero_is_required(long? creatorId) =>
        Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { CreatorId = creatorId }), "CreatorId"));

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void An_inbox_above_zero_is_required(long? inbox) =>
        Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { Inbox = inbox }), "Inbox"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Text_is_required(string? text) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { Text = text }), "Text");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Raw_text_may_be_left_out(string? rawText) =>
        ValidationAssert.Valid(_validator.Validate(NewConversation with { RawText = rawText }));

    [Fact]
    public void Targets_and_convo_id_together_are_refused()
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { ConvoId = 9 }), "Targets"));

        Assert.Contains("exactly one of targets", failure.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Neither_targets_nor_convo_id_is_refused()
    {
        ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { Targets = null }), "Targets");
        ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { Targets = [] }), "Targets");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-9L)]
    public void A_convo_id_is_above_zero(long convoId) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Reply with { ConvoId = convoId }), "ConvoId");

    [Fact]
    public void A_malformed_target_is_named_by_its_index()
    {
        var result = _validator.Validate(NewConversation with { Targets = ["to:ann@example.com", "bcc:bob@example.com", "cc:cid@example.com"] });

        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(result, "targets[1]"));
        Assert.Contains("to: or cc:", failure.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_malformed_target_is_reported()
    {
        var result = _validator.Validate(NewConversation with { Targets = ["ann@example.com", "to:bob@example.com", "to:invalid@something"] });

        Assert.Equal(["targets[0]", "targets[2]"], result.Errors.Select(e => e.PropertyName));
    }

    [Fact]
    public void Targets_with_only_cc_addresses_are_refused_naming_targets()
    {
        var result = _validator.Validate(NewConversation with { Targets = ["cc:ann@example.com", "cc:bob@example.com"] });

        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(result, "targets"));
        Assert.Equal("At least one to: address is required.", failure.ErrorMessage);
    }

    [Fact]
    public void At_most_100_recipients_are_allowed_across_to_and_cc()
    {
        var sixty = "to:" + string.Join(",", Enumerable.Range(1, 60).Select(i => $"to{i}@example.com"));
        var forty = "cc:" + string.Join(",", Enumerable.Range(1, 40).Select(i => $"cc{i}@example.com"));
        var fortyOne = "cc:" + string.Join(",", Enumerable.Range(1, 41).Select(i => $"cc{i}@example.com"));

        ValidationAssert.Valid(_validator.Validate(NewConversation with { Targets = [sixty, forty] }));
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { Targets = [sixty, fortyOne] }), "targets"));
        Assert.Equal("At most 100 recipients are allowed.", failure.ErrorMessage);
    }

    [Theory]
    [InlineData("Your order\r\nBcc: victim@example.com")]
    [InlineData("Your\norder")]
    public void The_conversation_title_is_one_line(string title) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { ConvTitle = title }), "ConvTitle");

    [Fact]
    public void The_conversation_title_has_at_most_998_characters()
    {
        ValidationAssert.Valid(_validator.Validate(NewConversation with { ConvTitle = new string('t', 998) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { ConvTitle = new string('t', 999) }), "ConvTitle");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void The_conversation_title_may_be_left_out(string? title) =>
        ValidationAssert.Valid(_validator.Validate(NewConversation with { ConvTitle = title }));

    [Fact]
    public void The_local_id_has_at_most_255_characters()
    {
        ValidationAssert.Valid(_validator.Validate(NewConversation with { LocalId = new string('k', 255) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { LocalId = new string('k', 256) }), "LocalId");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2025-06-02T09:00:00Z")]
    [InlineData("2025-06-02T11:00:00+02:00")]
    [InlineData("2025-05-01T09:00:00Z")]
    [InlineData("2026-06-01T12:00:00Z")]
    public void A_schedule_time_with_an_offset_up_to_a_year_ahead_or_in_the_past_is_accepted(string? scheduleAt) =>
        ValidationAssert.Valid(_validator.Validate(NewConversation with { ScheduleAt = scheduleAt }));

    [Theory]
    [InlineData("2030-01-01T09:00:00", "offset")]
    [InlineData("next week", "offset")]
    [InlineData("2026-06-01T12:00:01Z", "365 days")]
    public void A_schedule_time_without_an_offset_or_over_a_year_ahead_is_refused(string scheduleAt, string reason)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(NewConversation with { ScheduleAt = scheduleAt }), "ScheduleAt"));

        Assert.Contains(reason, failure.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broken_field_is_reported_at_once()
    {
        var result = _validator.Validate(new SendInboxEmailCommand(0, null, "", null, new string('k', 256), "a\nb", ["x"], 0, "soon"));

        Assert.Equal(
            ["ConvoId", "ConvTitle", "CreatorId", "Inbox", "LocalId", "ScheduleAt", "Targets", "targets[0]", "Text"],
            result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.OrdinalIgnoreCase));
    }
}
