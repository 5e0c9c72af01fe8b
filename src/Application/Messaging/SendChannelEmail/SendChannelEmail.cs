using System.Text.Json.Serialization;
using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;
using Mediator;
using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Idempotency;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Application.Common.Telemetry;
using Modular.Application.Contacts;
using Modular.Application.Messaging.Ports;
using Modular.Application.Conversations;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Application.Deliverability;
using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.SendChannelEmail;

/// <summary>The channel-style send (<c>POST /v1/messaging/email</c>, in the style of Whippy's Send Email).</summary>
public sealed record SendChannelEmailCommand(
    string? From,
    string? To,
    string? Subject,
    string? Body,
    IReadOnlyList<string>? Attachments,
    IReadOnlyList<string>? Cc,
    IReadOnlyList<string>? Bcc,
    string? ReplyTo,
    string? SenderName,
    string? SenderEmail,
    string? ScheduleAt,
    string? ConversationStatus,
    IReadOnlyList<ChannelRef>? OptInTo,
    bool? OptInToAllChannels,
    string? LocalId,
    bool? CancelOnReply = null) : ICommand<Result<SendChannelEmailResponse>>, IIdempotentCommand, IDryRunCommand
{
    /// <summary>A dry run has no idempotency: it stores no answer and replays none.</summary>
    public string? IdempotencyKey => DryRun ? null : LocalId;

    /// <summary><c>dry_run=true</c>: validate, thread and build the email, and answer with it; store and send nothing.</summary>
    [JsonIgnore]
    public bool DryRun { get; init; }
}

public sealed record SendChannelEmailResponse(SentEmail Data)
{
    /// <summary>The email a dry run would send; never stored with an idempotency key.</summary>
    [JsonIgnore]
    public EmailPreview? Preview { get; init; }
}

public sealed record SentEmail(long Id, long ContactId, long ConversationId, string DeliveryStatus);

public sealed partial class SendChannelEmailValidator : AbstractValidator<SendChannelEmailCommand>
{
    public const int MaxCopies = 50;
    public static readonly string[] ConversationStatuses = ["open", "automated", "closed"];

    public SendChannelEmailValidator(TimeProvider clock)
    {
        RuleFor(x => x.From).NotEmpty().MaximumLength(254);
        RuleFor(x => x.To).NotEmpty().DependentRules(() => RuleFor(x => x.To).Mailbox());
        RuleFor(x => x.Subject).MaximumLength(Message.SubjectMaxLength).SingleLine();
        RuleFor(x => x.Body).NotEmpty().When(x => x.Attachments is not { Count: > 0 })
            .WithMessage("A body is required unless attachments has at least one URL.");
        RuleFor(x => x.Attachments).Must(a => a is null || a.Count <= Message.MaxAttachments)
            .WithMessage($"At most {Message.MaxAttachments} attachments are allowed.");
        // Each element is checked only when the list is within its cap: a list of 70,000 addresses is one
        // error, not 70,000 (each with its own message, in memory and in the answer).
        RuleForEach(x => x.Attachments).Must(BeHttpUrl).WithMessage("Must be an absolute http or https URL.")
            .When(x => x.Attachments is not { Count: > Message.MaxAttachments });
        RuleFor(x => x.Cc).Must(c => c is null || c.Count <= MaxCopies).WithMessage($"At most {MaxCopies} addresses are allowed.");
        RuleFor(x => x.Bcc).Must(c => c is null || c.Count <= MaxCopies).WithMessage($"At most {MaxCopies} addresses are allowed.");
        RuleForEach(x => x.Cc).Mailbox().When(x => x.Cc is not { Count: > MaxCopies });
        RuleForEach(x => x.Bcc).Mailbox().When(x => x.Bcc is not { Count: > MaxCopies });
        RuleFor(x => x.ReplyTo).Mailbox().When(x => !string.IsNullOrEmpty(x.ReplyTo));
        RuleFor(x => x.SenderName).MaximumLength(200).SingleLine();
        RuleFor(x => x.SenderEmail).EmailAddress().When(x => !string.IsNullOrEmpty(x.SenderEmail));
        RuleFor(x => x.ConversationStatus).OneOf(ConversationStatuses);
        RuleFor(x => x.LocalId).MaximumLength(255);
        RuleFor(x => x.ScheduleAt).ScheduleTime(clock);
    }

    private static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>The channel named by address (any case) or id.</summary>
public sealed class ChannelByAddressOrIdSpec : Specification<Channel>
{
    public ChannelByAddressOrIdSpec(string from)
    {
        if (long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            Query.Where(c => c.Id == id);
        }
        else
        {
            var normalized = from.Trim().ToLowerInvariant();
            Query.Where(c => c.NormalizedEmail == normalized);
        }
    }
}

public sealed class SendChannelEmailHandler(
    IRepository<Channel> channels,
    IRepository<Contact> contacts,
    IRepository<Suppression> suppressions,
    IRepository<Conversation> conversations,
    IRepository<Message> messages,
    ConsentChannels consentChannels,
    ICurrentTenant tenant,
    IEmailRenderer renderer,
    TimeProvider clock) : ICommandHandler<SendChannelEmailCommand, Result<SendChannelEmailResponse>>
{
    public async ValueTask<Result<SendChannelEmailResponse>> Handle(SendChannelEmailCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var channel = await channels.FirstOrDefaultAsync(new ChannelByAddressOrIdSpec(command.From!), cancellationToken);
        if (channel is null)
        {
            return Error.Validation("from", $"No channel of this organization has the address or id '{command.From}'.");
        }

        if (channel.IsArchived)
        {
            return Error.Validation("from", $"Channel {channel.Id} ({channel.Email}) is archived: it sends no new email.");
        }

        var to = Mailbox.Parse(command.To, "to").Value;
        var cc = ParseAll(command.Cc, "cc");
        var bcc = ParseAll(command.Bcc, "bcc");
        var scheduleAt = string.IsNullOrEmpty(command.ScheduleAt) ? (DateTimeOffset?)null : ScheduleTime.Parse(command.ScheduleAt, now).Value;

        // One look-up for every recipient: the To contact, and any Cc/Bcc address that is a contact too.
        var addresses = new[] { to }.Concat(cc).Concat(bcc).Select(m => m.Address.Normalized).Distinct().ToList();
        var known = (await contacts.ListAsync(new ContactsByEmailsSpec(addresses), cancellationToken))
            .ToDictionary(c => c.NormalizedEmail);

        var isNewContact = !known.TryGetValue(to.Address.Normalized, out var contact);
        if (contact is null)
        {
            var created = await CreateContactAsync(command, to, now, cancellationToken);
            if (created.IsFailure)
            {
                return created.Error!;
            }

            contact = created.Value;
        }

        var knownConversation = false;
        var conversation = !isNewContact
            ? await conversations.FirstOrDefaultAsync(new LatestConversationSpec(contact.Id, channel.Id), cancellationToken)
            : null;
        var status = ConversationResponse.Parse(command.ConversationStatus);
        knownConversation = conversation is not null;
        var previous = conversation is null ? null : await messages.FirstOrDefaultAsync(new LatestMessageSpec(conversation.Id), cancellationToken);
        if (conversation is null)
        {
            var started = Conversation.Start(
                tenant.OrganizationId, channel.Id, inboxId: null, contact.Id, command.Subject,
                [new Participant(to.Address.Value, ParticipantRole.To)], status ?? Domain.Conversations.ConversationStatus.Open, now);
            if (started.IsFailure)
            {
                return started.Error!;
            }

            conversation = started.Value;
            await conversations.AddAsync(conversation, cancellationToken);
        }
        else if (status is not null)
        {
            conversation.ChangeStatus(status.Value, now);
        }

        known[contact.NormalizedEmail] = contact;
        var (recipients, compliance) = MessageComposition.ScreenRecipients(
            [(to, RecipientKind.To), .. cc.Select(m => (m, RecipientKind.Cc)), .. bcc.Select(m => (m, RecipientKind.Bcc))],
            known,
            channel.Id,
            (await suppressions.ListAsync(new SuppressionsByEmailsSpec(addresses), cancellationToken)).ToDictionary(s => s.NormalizedEmail));

        var (text, html) = MessageComposition.SplitBody(command.Body);
        var (inReplyTo, references) = MessageComposition.ReplyHeaders(previous);
        var customSender = string.IsNullOrEmpty(command.SenderEmail) ? null : EmailAddress.Parse(command.SenderEmail, "sender_email").Value;
        var senderName = string.IsNullOrWhiteSpace(command.SenderName) ? channel.SenderName : command.SenderName.Trim();
        var channelAddress = EmailAddress.Parse(channel.Email, "from").Value;

        var message = await MessageComposition.AddOutboundAsync(
            messages,
            conversation,
            new OutboundDraft
            {
                OrganizationId = tenant.OrganizationId,
                ConversationId = conversation.Id,
                ChannelId = channel.Id,
                From = new Mailbox(customSender ?? channelAddress, senderName),
                Sender = customSender is null ? null : channelAddress,
                ReplyTo = string.IsNullOrEmpty(command.ReplyTo) ? null : Mailbox.Parse(command.ReplyTo, "reply_to").Value,
                Recipients = recipients,
                Subject = previous is null ? command.Subject?.Trim() ?? string.Empty : MessageComposition.ReplySubject(command.Subject, conversation.Title),
                TextBody = text,
                HtmlBody = html,
                AttachmentUrls = command.Attachments ?? [],
                MessageIdHeader = MessageComposition.NewMessageId(channel.Domain),
                InReplyTo = inReplyTo,
                References = references,
                ScheduleAt = scheduleAt,
                CancelOnReply = command.CancelOnReply == true,
                ComplianceResults = compliance,
            },
            now,
            cancellationToken);
        if (message.IsFailure)
        {
            return message.Error!;
        }

        if (!command.DryRun)
        {
            ModularTelemetry.SendAccepted("channel");
        }

        return new SendChannelEmailResponse(new SentEmail(
            message.Value.Id, contact.Id, conversation.Id, Message.Format(message.Value.Status)))
        {
            Preview = command.DryRun
                ? EmailPreview.Of(renderer, message.Value, channel, isNewContact ? null : contact.Id, knownConversation ? conversation.Id : null, now)
                : null,
        };
    }

    private async Task<Result<Contact>> CreateContactAsync(SendChannelEmailCommand command, Mailbox to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var optIns = await consentChannels.ResolveAsync(
            command.OptInTo?.Select(c => c.Id).ToList(), command.OptInToAllChannels == true, "opt_in_to", cancellationToken);
        if (optIns.IsFailure)
        {
            return optIns.Error!;
        }

        var created = Contact.Create(tenant.OrganizationId, to.Address, to.Name, now);
        if (created.IsFailure)
        {
            return created.Error!;
        }

        foreach (var channelId in optIns.Value)
        {
            created.Value.OptIn(channelId, now, ConsentSource.SendOptIn);
        }

        await contacts.AddAsync(created.Value, cancellationToken);
        return created.Value;
    }

    private static List<Mailbox> ParseAll(IReadOnlyList<string>? values, string field) =>
        values is null ? [] : [.. values.Select((v, i) => Mailbox.Parse(v, $"{field}[{i}]").Value)];
}
