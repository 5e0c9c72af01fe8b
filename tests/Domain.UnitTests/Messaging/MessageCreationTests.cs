using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Modular.Domain.UnitTests.Support;

namespace Modular.Domain.UnitTests.Messaging;

public sealed class MessageCreationTests
{
    [Fact]
    public void Message_without_schedule_is_queued_now_and_due_for_delivery()
    {
        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft(), Clock.Now));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Now, message.DueAt);
        Assert.Null(message.ScheduleAt);
        Assert.True(message.IsDue(Clock.Now));
        var due = Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
        Assert.Same(message, due.Message);
    }

    [Fact]
    public void Message_keeps_everything_the_draft_holds()
    {
        var draft = MessageBuilder.Draft() with
        {
            CreatorUserId = 11,
            From = Addresses.MailboxOf("Ann Sales <ann.sales@example.org>"),
            Sender = Addresses.Email("support@example.com"),
            ReplyTo = Addresses.MailboxOf("Replies <replies@example.com>"),
            Recipients =
            [
                new Recipient(RecipientKind.To, "ann@example.com", "Ann"),
                new Recipient(RecipientKind.Cc, "bob@example.com"),
                new Recipient(RecipientKind.Bcc, "audit@example.com"),
            ],
            HtmlBody = "<p>Hello Ann</p>",
            AttachmentUrls = ["https://files.example.com/a.pdf"],
            InReplyTo = "0000.prev@example.com",
            References = ["0000.first@example.com", "0000.prev@example.com"],
            ComplianceResults = [new ComplianceResult("carl@example.com", ComplianceResult.OptedOut)],
        };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Equal(3, message.OrganizationId);
        Assert.Equal(5, message.ConversationId);
        Assert.Equal(9, message.ChannelId);
        Assert.Equal(11, message.CreatorUserId);
        Assert.Equal(MessageDirection.Outbound, message.Direction);
        Assert.Equal("ann.sales@example.org", message.FromAddress);
        Assert.Equal("Ann Sales", message.FromName);
        Assert.Equal("support@example.com", message.SenderAddress);
        Assert.Equal("replies@example.com", message.ReplyToAddress);
        Assert.Equal("Replies", message.ReplyToName);
        Assert.Equal(draft.Recipients, message.Recipients);
        Assert.Equal(draft.Recipients, message.EnvelopeRecipients);
        Assert.Equal("Your order", message.Subject);
        Assert.Equal("Hello Ann", message.TextBody);
        Assert.Equal("<p>Hello Ann</p>", message.HtmlBody);
        Assert.Equal(draft.AttachmentUrls, message.AttachmentUrls);
        Assert.Equal("0001.abcd@example.com", message.MessageIdHeader);
        Assert.Equal("0000.prev@example.com", message.InReplyTo);
        Assert.Equal(draft.References, message.References);
        Assert.Equal(draft.ComplianceResults, message.ComplianceResults);
        Assert.Equal(Clock.Now, message.CreatedAt);
        Assert.Equal(Clock.Now, message.UpdatedAt);
        Assert.Null(message.SendingSince);
        Assert.Null(message.SentAt);
        Assert.Null(message.Error);
        Assert.Empty(message.Attempts);
    }

    [Fact]
    public void Message_without_custom_sender_or_reply_to_leaves_them_empty()
    {
        var message = MessageBuilder.Create(MessageBuilder.Draft());

        Assert.Null(message.SenderAddress);
        Assert.Null(message.ReplyToAddress);
        Assert.Null(message.ReplyToName);
        Assert.Null(message.CreatorUserId);
        Assert.Null(message.InReplyTo);
        Assert.Empty(message.References);
        Assert.Empty(message.AttachmentUrls);
        Assert.Empty(message.ComplianceResults);
    }

    [Fact]
    public void Message_copies_the_draft_lists()
    {
        var recipients = new List<Recipient> { MessageBuilder.Ann };
        var message = MessageBuilder.Create(MessageBuilder.Draft() with { Recipients = recipients });

        recipients.Add(new Recipient(RecipientKind.To, "mallory@example.com"));

        Assert.Single(message.Recipients);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(60 * 24 * 365)]
    public void Message_scheduled_in_the_past_is_queued_now(int minutesAgo)
    {
        var schedule = Clock.Earlier(minutesAgo);

        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft() with { ScheduleAt = schedule }, Clock.Now));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Now, message.DueAt);
        Assert.Equal(schedule, message.ScheduleAt);
        Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
    }

    [Fact]
    public void Message_scheduled_for_now_is_queued()
    {
        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft() with { ScheduleAt = Clock.Now }, Clock.Now));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Equal(Clock.Now, message.DueAt);
    }

    [Fact]
    public void Message_scheduled_in_the_future_is_scheduled_and_due_at_the_schedule()
    {
        var schedule = Clock.Now.AddSeconds(1);

        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft() with { ScheduleAt = schedule }, Clock.Now));

        Assert.Equal(DeliveryStatus.Scheduled, message.Status);
        Assert.Equal(schedule, message.ScheduleAt);
        Assert.Equal(schedule, message.DueAt);
        Assert.False(message.IsDue(Clock.Now));
        Assert.True(message.IsDue(schedule));
        var due = Assert.IsType<MessageDeliveryDue>(Assert.Single(message.DomainEvents));
        Assert.Same(message, due.Message);
    }

    [Fact]
    public void Message_whose_only_To_recipient_opted_out_is_blocked()
    {
        var draft = MessageBuilder.Draft() with
        {
            Recipients = [new Recipient(RecipientKind.Cc, "bob@example.com"), new Recipient(RecipientKind.Bcc, "audit@example.com")],
            ComplianceResults = [new ComplianceResult("ann@example.com", ComplianceResult.OptedOut)],
        };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Equal(DeliveryStatus.Blocked, message.Status);
        Assert.Equal(Clock.Now, message.DueAt);
        Assert.Equal(draft.ComplianceResults, message.ComplianceResults);
        Assert.Equal("No recipient may be sent to: ann@example.com (opted_out)", message.Error);
        Assert.Same(message, Assert.IsType<MessageBlocked>(Assert.Single(message.DomainEvents)).Message);
        Assert.False(message.IsDue(Clock.Later(1)));
    }

    [Fact]
    public void Message_whose_every_recipient_opted_out_is_blocked_and_lists_them_all()
    {
        var draft = MessageBuilder.Draft() with
        {
            Recipients = [],
            ComplianceResults =
            [
                new ComplianceResult("ann@example.com", ComplianceResult.OptedOut),
                new ComplianceResult("bob@example.com", ComplianceResult.OptedOut),
            ],
        };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Equal(DeliveryStatus.Blocked, message.Status);
        Assert.Empty(message.Recipients);
        Assert.Equal("No recipient may be sent to: ann@example.com (opted_out), bob@example.com (opted_out)", message.Error);
        Assert.Same(message, Assert.IsType<MessageBlocked>(Assert.Single(message.DomainEvents)).Message);
    }

    [Fact]
    public void Blocked_message_is_blocked_even_when_scheduled()
    {
        var draft = MessageBuilder.Draft() with
        {
            Recipients = [],
            ComplianceResults = [new ComplianceResult("ann@example.com", ComplianceResult.OptedOut)],
            ScheduleAt = Clock.Later(60),
        };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Equal(DeliveryStatus.Blocked, message.Status);
        Assert.Equal(Clock.Now, message.DueAt);
        Assert.Same(message, Assert.IsType<MessageBlocked>(Assert.Single(message.DomainEvents)).Message);
    }

    [Fact]
    public void Message_with_a_To_recipient_left_after_compliance_is_queued_and_records_who_was_left_out()
    {
        var draft = MessageBuilder.Draft() with
        {
            Recipients = [MessageBuilder.Ann],
            ComplianceResults = [new ComplianceResult("bob@example.com", ComplianceResult.OptedOut)],
        };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Equal(DeliveryStatus.Queued, message.Status);
        Assert.Null(message.Error);
        Assert.Equal(draft.ComplianceResults, message.ComplianceResults);
        Assert.Equal([MessageBuilder.Ann], message.Recipients);
    }

    [Fact]
    public void Message_needs_a_recipient()
    {
        ResultAssert.ValidationError(Message.CreateOutbound(MessageBuilder.Draft() with { Recipients = [] }, Clock.Now), "to");
    }

    [Fact]
    public void Message_without_a_To_recipient_and_nobody_opted_out_is_refused()
    {
        var draft = MessageBuilder.Draft() with { Recipients = [new Recipient(RecipientKind.Cc, "bob@example.com")] };

        ResultAssert.ValidationError(Message.CreateOutbound(draft, Clock.Now), "to");
    }

    [Theory]
    [InlineData("Your order\r\nBcc: victim@example.com")]
    [InlineData("Your\norder")]
    [InlineData("Your\rorder")]
    [InlineData("Your order\n")]
    public void Subject_with_a_line_break_is_refused(string subject)
    {
        ResultAssert.ValidationError(Message.CreateOutbound(MessageBuilder.Draft() with { Subject = subject }, Clock.Now), "subject");
    }

    [Fact]
    public void Subject_of_the_maximum_length_is_accepted()
    {
        var subject = new string('s', Message.SubjectMaxLength);

        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft() with { Subject = subject }, Clock.Now));

        Assert.Equal(subject, message.Subject);
    }

    [Fact]
    public void Subject_over_the_maximum_length_is_refused()
    {
        var subject = new string('s', Message.SubjectMaxLength + 1);

        ResultAssert.ValidationError(Message.CreateOutbound(MessageBuilder.Draft() with { Subject = subject }, Clock.Now), "subject");
    }

    [Fact]
    public void Empty_subject_is_accepted()
    {
        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft() with { Subject = string.Empty }, Clock.Now));

        Assert.Equal(string.Empty, message.Subject);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData(null, "")]
    [InlineData("", "")]
    public void Message_without_body_or_attachment_is_refused(string? text, string? html)
    {
        var draft = MessageBuilder.Draft() with { TextBody = text, HtmlBody = html, AttachmentUrls = [] };

        ResultAssert.ValidationError(Message.CreateOutbound(draft, Clock.Now), "body");
    }

    [Theory]
    [InlineData("Hello", null)]
    [InlineData(null, "<p>Hello</p>")]
    [InlineData("Hello", "<p>Hello</p>")]
    public void Text_or_html_body_is_enough(string? text, string? html)
    {
        var draft = MessageBuilder.Draft() with { TextBody = text, HtmlBody = html };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Equal(text, message.TextBody);
        Assert.Equal(html, message.HtmlBody);
    }

    [Fact]
    public void An_attachment_without_body_is_enough()
    {
        var draft = MessageBuilder.Draft() with { TextBody = null, AttachmentUrls = ["https://files.example.com/a.pdf"] };

        var message = ResultAssert.Success(Message.CreateOutbound(draft, Clock.Now));

        Assert.Single(message.AttachmentUrls);
    }

    [Fact]
    public void The_maximum_number_of_attachments_is_accepted()
    {
        var urls = Enumerable.Range(1, Message.MaxAttachments).Select(i => $"https://files.example.com/{i}.pdf").ToList();

        var message = ResultAssert.Success(Message.CreateOutbound(MessageBuilder.Draft() with { AttachmentUrls = urls }, Clock.Now));

        Assert.Equal(urls, message.AttachmentUrls);
    }

    [Fact]
    public void More_than_the_maximum_number_of_attachments_is_refused()
    {
        var urls = Enumerable.Range(1, Message.MaxAttachments + 1).Select(i => $"https://files.example.com/{i}.pdf").ToList();

        ResultAssert.ValidationError(Message.CreateOutbound(MessageBuilder.Draft() with { AttachmentUrls = urls }, Clock.Now), "attachments");
    }

    [Fact]
    public void From_name_with_a_line_break_is_refused()
    {
        var from = new Mailbox(Addresses.Email("support@example.com"), "Acme\r\nBcc: victim@example.com");

        var result = Message.CreateOutbound(MessageBuilder.Draft() with { From = from }, Clock.Now);

        Assert.True(result.IsFailure);
        Assert.Equal(ErrorType.Validation, result.Error!.Type);
    }

    [Fact]
    public void Recipient_address_with_a_line_break_is_refused()
    {
        var draft = MessageBuilder.Draft() with
        {
            Recipients = [new Recipient(RecipientKind.To, "ann@example.com\r\nBcc: victim@example.com")],
        };

        var result = Message.CreateOutbound(draft, Clock.Now);

        Assert.True(result.IsFailure);
        Assert.Equal(ErrorType.Validation, result.Error!.Type);
    }

    [Fact]
    public void Subject_is_checked_before_body_and_recipients()
    {
        var draft = MessageBuilder.Draft() with { Subject = "a\nb", TextBody = null, Recipients = [] };

        ResultAssert.ValidationError(Message.CreateOutbound(draft, Clock.Now), "subject");
    }

    [Theory]
    [InlineData(DeliveryStatus.Scheduled, "scheduled")]
    [InlineData(DeliveryStatus.Queued, "queued")]
    [InlineData(DeliveryStatus.Sending, "sending")]
    [InlineData(DeliveryStatus.Sent, "sent")]
    [InlineData(DeliveryStatus.Failed, "failed")]
    [InlineData(DeliveryStatus.Uncertain, "uncertain")]
    [InlineData(DeliveryStatus.Canceled, "canceled")]
    [InlineData(DeliveryStatus.Blocked, "blocked")]
    public void Status_is_formatted_in_lower_case(DeliveryStatus status, string expected)
    {
        Assert.Equal(expected, Message.Format(status));
    }
}
