using Modular.Application.Contacts;
using Modular.Application.Messaging.SendChannelEmail;
using Modular.Application.UnitTests.Support;

namespace Modular.Application.UnitTests.Messaging;

public sealed class SendChannelEmailValidatorTests
{
    private static readonly SendChannelEmailCommand Valid = new(
        From: "support@example.com",
        To: "ann@example.com",
        Subject: "Your order",
        Body: "Hello Ann",
        Attachments: null,
        Cc: null,
        Bcc: null,
        ReplyTo: null,
        SenderName: null,
        SenderEmail: null,
        ScheduleAt: null,
        ConversationStatus: null,
        OptInTo: null,
        OptInToAllChannels: null,
        LocalId: null);

    private readonly SendChannelEmailValidator _validator = new(new FixedClock());

    [Fact]
    public void A_send_with_from_to_subject_and_body_is_valid() => ValidationAssert.Valid(_validator.Validate(Valid));

    [Fact]
    public void A_send_with_every_field_filled_in_is_valid() =>
        ValidationAssert.Valid(_validator.Validate(Valid with
        {
            Attachments = ["https://files.example.com/invoice.pdf", "http://files.example.com/terms.txt"],
            Cc = ["bob@example.com", "Cid <cid@example.com>"],
            Bcc = ["audit@example.com"],
            ReplyTo = "Help Desk <help@example.com>",
            SenderName = "Ann from Support",
            SenderEmail = "ann@example.com",
            ScheduleAt = "2025-06-02T09:00:00Z",
            ConversationStatus = "automated",
            OptInTo = [new ChannelRef(1)],
            OptInToAllChannels = false,
            LocalId = "order-42",
        }));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void From_is_required(string? from) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { From = from }), "From");

    [Theory]
    [InlineData("support@example.com")]
    [InlineData("Support@Example.COM")]
    [InlineData("12")]
    public void From_is_an_address_or_an_id_which_the_handler_looks_up(string from) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { From = from }));

    [Fact]
    public void From_has_at_most_254_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { From = new string('f', 254) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { From = new string('f', 255) }), "From");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void To_is_required(string? to)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { To = to }), "To"));

        Assert.False(string.IsNullOrWhiteSpace(failure.ErrorMessage));
    }

    [Theory]
    [InlineData("invalid@something")]
    [InlineData("ann")]
    [InlineData("ann@example.com, bob@example.com")]
    [InlineData("ann@example.com\r\nBcc: victim@example.com")]
    [InlineData("Ann <invalid@something>")]
    public void To_must_be_one_address(string to)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { To = to }), "To"));

        Assert.False(string.IsNullOrWhiteSpace(failure.ErrorMessage));
    }

    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("\"Lee, Ann\" <ann@example.com>")]
    [InlineData("<ann@example.com>")]
    [InlineData("  Ann.Lee+news@Mail.Example.co.uk  ")]
    public void To_may_carry_a_display_name(string to) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { To = to }));

    [Theory]
    [InlineData("Your order\r\nBcc: victim@example.com")]
    [InlineData("Your\norder")]
    [InlineData("Your\rorder")]
    public void The_subject_is_one_line(string subject) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Subject = subject }), "Subject");

    [Fact]
    public void The_subject_has_at_most_998_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { Subject = new string('s', 998) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Subject = new string('s', 999) }), "Subject");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void The_subject_may_be_left_out(string? subject) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Subject = subject }));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_body_is_required_without_attachments(string? body)
    {
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Body = body }), "Body");
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Body = body, Attachments = [] }), "Body");
    }

    [Fact]
    public void A_body_is_not_required_when_attachments_has_a_url() =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Body = null, Attachments = ["https://files.example.com/invoice.pdf"] }));

    [Fact]
    public void A_body_may_be_html() =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Body = "<p>Hello <b>Ann</b></p>" }));

    [Fact]
    public void At_most_10_attachments_are_allowed()
    {
        var ten = Enumerable.Range(1, 10).Select(i => $"https://files.example.com/{i}.pdf").ToList();

        ValidationAssert.Valid(_validator.Validate(Valid with { Attachments = ten }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Attachments = [.. ten, "https://files.example.com/11.pdf"] }), "Attachments");
    }

    [Theory]
    [InlineData("ftp://files.example.com/invoice.pdf")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/files/invoice.pdf")]
    [InlineData("files.example.com/invoice.pdf")]
    [InlineData("javascript:alert(1)")]
    [InlineData("")]
    public void Attachments_are_absolute_http_or_https_urls(string url) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Attachments = [url] }), "Attachments[0]");

    [Fact]
    public void A_bad_attachment_is_named_by_its_index()
    {
        var result = _validator.Validate(Valid with { Attachments = ["https://files.example.com/a.pdf", "https://files.example.com/b.pdf", "ftp://files.example.com/c.pdf"] });

        ValidationAssert.FailsOnlyOn(result, "Attachments[2]");
    }

    [Theory]
    [InlineData("https://files.example.com/invoice.pdf?token=abc")]
    [InlineData("HTTP://FILES.EXAMPLE.COM/INVOICE.PDF")]
    [InlineData("http://192.0.2.1:8080/invoice.pdf")]
    public void Http_and_https_attachment_urls_are_accepted(string url) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { Attachments = [url] }));

    [Fact]
    public void At_most_50_cc_addresses_are_allowed()
    {
        var fifty = Enumerable.Range(1, 50).Select(i => $"cc{i}@example.com").ToList();

        ValidationAssert.Valid(_validator.Validate(Valid with { Cc = fifty }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Cc = [.. fifty, "cc51@example.com"] }), "Cc");
    }

    [Fact]
    public void At_most_50_bcc_addresses_are_allowed()
    {
        var fifty = Enumerable.Range(1, 50).Select(i => $"bcc{i}@example.com").ToList();

        ValidationAssert.Valid(_validator.Validate(Valid with { Bcc = fifty }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Bcc = [.. fifty, "bcc51@example.com"] }), "Bcc");
    }

    [Fact]
    public void A_list_over_its_cap_is_one_error_whatever_its_elements()
    {
        var many = Enumerable.Range(0, 10_000).Select(i => $"not an address {i}").ToList();

        Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Cc = many }), "Cc"));
        Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Bcc = many }), "Bcc"));
        Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { Attachments = many }), "Attachments"));
    }

    [Fact]
    public void Each_cc_address_is_parsed_and_named_by_its_index()
    {
        var result = _validator.Validate(Valid with { Cc = ["Bob <bob@example.com>", "invalid@something"] });

        ValidationAssert.FailsOnlyOn(result, "Cc[1]");
    }

    [Fact]
    public void Each_bcc_address_is_parsed_and_named_by_its_index()
    {
        var result = _validator.Validate(Valid with { Bcc = ["", "audit@example.com", "audit@example.com\nTo: x@example.com"] });

        Assert.Equal(["Bcc[0]", "Bcc[2]"], result.Errors.Select(e => e.PropertyName));
    }

    [Theory]
    [InlineData("invalid@something")]
    [InlineData("help")]
    [InlineData("help@example.com\r\nBcc: victim@example.com")]
    public void Reply_to_must_be_an_address(string replyTo) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { ReplyTo = replyTo }), "ReplyTo");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("help@example.com")]
    [InlineData("Help Desk <help@example.com>")]
    public void Reply_to_may_be_an_address_with_a_name_or_left_out(string? replyTo) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { ReplyTo = replyTo }));

    [Theory]
    [InlineData("Ann\r\nBcc: victim@example.com")]
    [InlineData("Ann\nLee")]
    public void The_sender_name_is_one_line(string senderName) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { SenderName = senderName }), "SenderName");

    [Fact]
    public void The_sender_name_has_at_most_200_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { SenderName = new string('n', 200) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { SenderName = new string('n', 201) }), "SenderName");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ann@example.com")]
    [InlineData("Ann@Example.COM")]
    public void The_sender_email_is_an_address_or_left_out(string? senderEmail) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { SenderEmail = senderEmail }));

    [Theory]
    [InlineData("invalid@something")]
    [InlineData("ann")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("ann@example.com\r\nBcc: victim@example.com")]
    public void The_sender_email_is_a_bare_address(string senderEmail) =>
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { SenderEmail = senderEmail }), "SenderEmail");

    [Theory]
    [InlineData(null)]
    [InlineData("open")]
    [InlineData("automated")]
    [InlineData("closed")]
    [InlineData("Closed")]
    public void The_conversation_status_is_open_automated_or_closed(string? status) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { ConversationStatus = status }));

    [Theory]
    [InlineData("spam")]
    [InlineData("archived")]
    [InlineData("")]
    [InlineData("0")]
    public void Other_conversation_statuses_are_refused(string status)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { ConversationStatus = status }), "ConversationStatus"));

        Assert.Equal("Must be one of: open, automated, closed.", failure.ErrorMessage);
    }

    [Fact]
    public void The_local_id_has_at_most_255_characters()
    {
        ValidationAssert.Valid(_validator.Validate(Valid with { LocalId = new string('k', 255) }));
        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { LocalId = new string('k', 256) }), "LocalId");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2025-06-01T13:00:00Z")]
    [InlineData("2025-06-01T13:00:00.250Z")]
    [InlineData("2025-06-01T15:00:00+02:00")]
    [InlineData("2025-06-01T08:00:00-04:00")]
    [InlineData("2025-06-01T13:00Z")]
    public void A_schedule_time_with_an_offset_or_z_is_accepted(string? scheduleAt) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { ScheduleAt = scheduleAt }));

    [Theory]
    [InlineData("2030-01-01T09:00:00")]
    [InlineData("2025-06-02")]
    [InlineData("2025-06-02 09:00:00Z")]
    [InlineData("tomorrow")]
    [InlineData("2025-02-30T09:00:00Z")]
    [InlineData("2025-06-02T25:00:00Z")]
    [InlineData("1748779200")]
    public void A_schedule_time_without_an_offset_or_not_a_date_time_is_refused(string scheduleAt)
    {
        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { ScheduleAt = scheduleAt }), "ScheduleAt"));

        Assert.Contains("offset", failure.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schedule_time_more_than_365_days_ahead_is_refused()
    {
        var result = _validator.Validate(Valid with { ScheduleAt = "2026-06-01T12:00:01Z" });

        var failure = Assert.Single(ValidationAssert.FailsOnlyOn(result, "ScheduleAt"));
        Assert.Equal("Must be at most 365 days ahead.", failure.ErrorMessage);
    }

    [Fact]
    public void A_schedule_time_exactly_365_days_ahead_is_accepted() =>
        ValidationAssert.Valid(_validator.Validate(Valid with { ScheduleAt = "2026-06-01T12:00:00Z" }));

    [Fact]
    public void The_year_ahead_is_counted_from_the_validators_clock()
    {
        var later = new SendChannelEmailValidator(new FixedClock(Clock.Now.AddDays(30)));

        ValidationAssert.FailsOnlyOn(_validator.Validate(Valid with { ScheduleAt = "2026-06-15T12:00:00Z" }), "ScheduleAt");
        ValidationAssert.Valid(later.Validate(Valid with { ScheduleAt = "2026-06-15T12:00:00Z" }));
    }

    [Theory]
    [InlineData("2025-06-01T11:59:59Z")]
    [InlineData("2020-01-01T00:00:00Z")]
    public void A_schedule_time_in_the_past_is_accepted_and_sends_at_once(string scheduleAt) =>
        ValidationAssert.Valid(_validator.Validate(Valid with { ScheduleAt = scheduleAt }));

    [Fact]
    public void Every_broken_field_is_reported_at_once()
    {
        var result = _validator.Validate(new SendChannelEmailCommand(
            From: "",
            To: "invalid@something",
            Subject: "a\nb",
            Body: null,
            Attachments: null,
            Cc: ["nope"],
            Bcc: ["nope"],
            ReplyTo: "nope",
            SenderName: "a\nb",
            SenderEmail: "nope",
            ScheduleAt: "2030-01-01T09:00:00",
            ConversationStatus: "spam",
            OptInTo: null,
            OptInToAllChannels: null,
            LocalId: new string('k', 256)));

        Assert.Equal(
            ["Bcc[0]", "Body", "Cc[0]", "ConversationStatus", "From", "LocalId", "ReplyTo", "ScheduleAt", "SenderEmail", "SenderName", "Subject", "To"],
            result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal));
    }
}
