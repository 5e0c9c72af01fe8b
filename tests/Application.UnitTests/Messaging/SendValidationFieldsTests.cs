using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Validation;
using Modular.Application.Conversations;
using Modular.Application.Conversations.ListConversations;
using Modular.Application.Messaging.SendChannelEmail;
using Modular.Application.Messaging.SendInboxEmail;
using Modular.Application.UnitTests.Common.Behaviors;
using Modular.Application.UnitTests.Support;
using Modular.Domain.Common;

namespace Modular.Application.UnitTests.Messaging;

/// <summary>The new validators behind the validation behavior: a 422 names fields as clients send them.</summary>
public sealed class SendValidationFieldsTests
{
    [Fact]
    public async Task A_refused_channel_send_names_snake_case_and_indexed_fields()
    {
        var command = new SendChannelEmailCommand(
            "support@example.com", "invalid@something", "Hi", null, ["ftp://files.example.com/a.pdf"], ["bob@example.com", "nope"], null,
            "nope", null, "invalid@something", "2030-01-01T09:00:00", "spam", null, null, new string('k', 256));
        var next = new Next<SendChannelEmailCommand, Result<SendChannelEmailResponse>>();
        var behavior = new ValidationBehavior<SendChannelEmailCommand, Result<SendChannelEmailResponse>>([new SendChannelEmailValidator(new FixedClock())]);

        var result = await behavior.Handle(command, next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.Equal(
            ["attachments[0]", "cc[1]", "conversation_status", "local_id", "reply_to", "schedule_at", "sender_email", "to"],
            result.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_refused_inbox_send_names_snake_case_and_indexed_fields()
    {
        var command = new SendInboxEmailCommand(0, null, "", null, null, "a\r\nb", ["to:ann@example.com", "bcc:bob@example.com"], 5, "soon");
        var next = new Next<SendInboxEmailCommand, Result<SendInboxEmailResponse>>();
        var behavior = new ValidationBehavior<SendInboxEmailCommand, Result<SendInboxEmailResponse>>([new SendInboxEmailValidator(new FixedClock(), new Modular.Infrastructure.Messaging.MimeKitAddressListParser())]);

        var result = await behavior.Handle(command, next.Delegate, CancellationToken.None);

        Assert.Equal(0, next.Calls);
        Assert.Equal(
            ["conv_title", "creator_id", "inbox", "schedule_at", "targets", "targets[1]", "text"],
            result.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Both_targets_rules_report_under_one_targets_field()
    {
        var command = new SendInboxEmailCommand(1, 2, "Hi", null, null, null, ["cc:ann@example.com"], 5, null);
        var behavior = new ValidationBehavior<SendInboxEmailCommand, Result<SendInboxEmailResponse>>([new SendInboxEmailValidator(new FixedClock(), new Modular.Infrastructure.Messaging.MimeKitAddressListParser())]);

        var result = await behavior.Handle(command, new Next<SendInboxEmailCommand, Result<SendInboxEmailResponse>>().Delegate, CancellationToken.None);

        var (field, messages) = Assert.Single(result.Error!.Fields!);
        Assert.Equal("targets", field);
        Assert.Equal(2, messages.Length);
    }

    [Fact]
    public async Task A_refused_conversation_status_filter_is_named_status_with_its_index()
    {
        var behavior = new ValidationBehavior<ListConversationsQuery, Result<ListResponse<ConversationResponse>>>([new ListConversationsValidator()]);

        var result = await behavior.Handle(
            new ListConversationsQuery(["open", "pending"], null, null, null, 0, null),
            new Next<ListConversationsQuery, Result<ListResponse<ConversationResponse>>>().Delegate,
            CancellationToken.None);

        Assert.Equal(["limit", "status[1]"], result.Error!.Fields!.Keys.Order(StringComparer.Ordinal));
    }
}
