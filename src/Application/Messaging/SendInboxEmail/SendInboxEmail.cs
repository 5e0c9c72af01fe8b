using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using FluentValidation;
using Mediator;
using Modular.Application.Common.Behaviors;
using Modular.Application.Common.Idempotency;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Validation;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Telemetry;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Application.Deliverability;
using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;
using Modular.Domain.Conversations;
using Modular.Domain.Inboxes;
using Modular.Domain.Messaging;
using Modular.Domain.Organizations;

namespace Modular.Application.Messaging.SendInboxEmail;

/// <summary>The inbox-style send (<c>POST /v1/email/send</c>, in the style of Heymarket's email send).</summary>
public sealed record SendInboxEmailCommand(
    long? CreatorId,
    long? Inbox,
    string? Text,
    string? RawText,
    string? LocalId,
    string? ConvTitle,
    IReadOnlyList<string>? Targets,
    long? ConvoId,
    string? ScheduleAt,
    bool? CancelOnReply = null) : ICommand<Result<SendInboxEmailResponse>>, IIdempotentCommand, IDryRunCommand
{
    /// <summary>A dry run has no idempotency: it stores no answer and replays none.</summary>
    public string? IdempotencyKey => DryRun ? null : LocalId;

    /// <summary><c>dry_run=true</c>: validate, thread and build the email, and answer with it; store and send nothing.</summary>
    [JsonIgnore]
    public bool DryRun { get; init; }
}

/// <summary>
/// The answer: <c>queued</c> is false when nobody may be sent to; <c>compliance_results</c> names each
/// recipient left out, with why (for example <c>{ "bob@example.com": "opted_out" }</c>).
/// </summary>
public sealed record SendInboxEmailResponse(long Id, long ConvoId, bool Queued, DateTimeOffset Date, IReadOnlyDictionary<string, string> ComplianceResults)
{
    /// <summary>The email a dry run would send; never stored with an idempotency key.</summary>
    [JsonIgnore]
    public EmailPreview? Preview { get; init; }
}

public sealed partial class SendInboxEmailValidator : AbstractValidator<SendInboxEmailCommand>
{
    public const int MaxRecipients = 100;

    public SendInboxEmailValidator(TimeProvider clock, IAddressListParser addresses)
    {
        RuleFor(x => x.CreatorId).NotNull().GreaterThan(0);
        RuleFor(x => x.Inbox).NotNull().GreaterThan(0);
        RuleFor(x => x.Text).NotEmpty();
        RuleFor(x => x.LocalId).MaximumLength(255);
        RuleFor(x => x.ConvTitle).MaximumLength(Conversation.TitleMaxLength)
            .Must(t => !HeaderText.HasLineBreak(t)).WithMessage("Line breaks are not allowed.");
        RuleFor(x => x.Targets).Must((command, targets) => (targets is { Count: > 0 }) != (command.ConvoId is not null))
            .WithMessage("Give exactly one of targets (a new conversation) and convo_id (a reply).");
        RuleFor(x => x.Targets).Custom((targets, context) =>
        {
            if (targets is not { Count: > 0 })
            {
                return;
            }

            if (targets.Count > MaxRecipients)
            {
                context.AddFailure("targets", $"At most {MaxRecipients} recipients are allowed.");
                return;
            }

            var parsed = Targets.Parse(targets, addresses);
            foreach (var (index, reason) in parsed.Errors)
            {
                context.AddFailure($"targets[{index}]", reason);
            }

            if (parsed.Errors.Count == 0 && parsed.To.Count == 0)
            {
                context.AddFailure("targets", "At least one to: address is required.");
            }
            else if (parsed.To.Count + parsed.Cc.Count > MaxRecipients)
            {
                context.AddFailure("targets", $"At most {MaxRecipients} recipients are allowed.");
            }
        });
        RuleFor(x => x.ConvoId).GreaterThan(0);
        RuleFor(x => x.ScheduleAt).ScheduleTime(clock);
    }
}

/// <summary>
/// Reads <c>targets</c>: each element is <c>to:</c> or <c>cc:</c> followed by an RFC 5322 address list,
/// such as <c>"to:alice@example.com, \"Doe, Jane\" &lt;jane@example.com&gt;"</c> (a comma inside a quoted
/// name does not split it).
/// </summary>
public static partial class Targets
{
    public sealed record Parsed(IReadOnlyList<Mailbox> To, IReadOnlyList<Mailbox> Cc, IReadOnlyList<(int Index, string Reason)> Errors);

    public static Parsed Parse(IReadOnlyList<string> targets, IAddressListParser addresses)
    {
        var to = new List<Mailbox>();
        var cc = new List<Mailbox>();
        var errors = new List<(int, string)>();
        for (var i = 0; i < targets.Count; i++)
        {
            var match = Prefixed().Match(targets[i] ?? string.Empty);
            if (!match.Success)
            {
                errors.Add((i, "Must start with to: or cc: followed by comma-separated addresses."));
                continue;
            }

            var list = match.Groups[1].Value.Equals("to", StringComparison.OrdinalIgnoreCase) ? to : cc;
            var mailboxes = addresses.Parse(match.Groups[2].Value, $"targets[{i}]");
            if (mailboxes.IsFailure)
            {
                errors.Add((i, mailboxes.Error!.Fields!.Values.First()[0]));
                continue;
            }

            list.AddRange(mailboxes.Value);
        }

        return new Parsed(to, cc, errors);
    }

    [GeneratedRegex(@"^\s*(to|cc)\s*:(.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Prefixed();
}

public sealed class SendInboxEmailHandler(
    IRepository<User> users,
    IRepository<Inbox> inboxes,
    IRepository<Channel> channels,
    IRepository<Contact> contacts,
    IRepository<Suppression> suppressions,
    IRepository<Conversation> conversations,
    IRepository<Message> messages,
    ICurrentTenant tenant,
    IAddressListParser addressLists,
    IEmailRenderer renderer,
    TimeProvider clock) : ICommandHandler<SendInboxEmailCommand, Result<SendInboxEmailResponse>>
{
    public async ValueTask<Result<SendInboxEmailResponse>> Handle(SendInboxEmailCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!await users.AnyAsync(new ByIdSpec<User>(command.CreatorId!.Value), cancellationToken))
        {
            return Error.Validation("creator_id", $"User {command.CreatorId} is not a user of this organization.");
        }

        var inbox = await inboxes.FirstOrDefaultAsync(new ByIdSpec<Inbox>(command.Inbox!.Value), cancellationToken);
        if (inbox is null)
        {
            return Error.Validation("inbox", $"Inbox {command.Inbox} is not an inbox of this organization.");
        }

        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(inbox.ChannelId), cancellationToken)
            ?? throw new InvalidOperationException($"Channel {inbox.ChannelId} of inbox {inbox.Id} is missing.");
        if (channel.IsArchived)
        {
            return Error.Validation("inbox", $"Channel {channel.Id} ({channel.Email}) of inbox {inbox.Id} is archived: it sends no new email.");
        }

        Conversation conversation;
        Message? previous = null;
        List<Mailbox> to;
        List<Mailbox> cc;
        if (command.ConvoId is { } convoId)
        {
            var existing = await conversations.FirstOrDefaultAsync(new ByIdSpec<Conversation>(convoId), cancellationToken);
            if (existing is null)
            {
                return Error.Validation("convo_id", $"Conversation {convoId} is not a conversation of this organization.");
            }

            if (existing.ChannelId != channel.Id)
            {
                return Error.Validation("convo_id", $"Conversation {convoId} is on another channel than inbox {inbox.Id}.");
            }

            conversation = existing;
            previous = await messages.FirstOrDefaultAsync(new LatestMessageSpec(conversation.Id), cancellationToken);
            to = [.. conversation.Participants.Where(p => p.Role == ParticipantRole.To).Select(p => new Mailbox(EmailAddress.Parse(p.Address, "convo_id").Value))];
            cc = [.. conversation.Participants.Where(p => p.Role == ParticipantRole.Cc).Select(p => new Mailbox(EmailAddress.Parse(p.Address, "convo_id").Value))];
        }
        else
        {
            var targets = Targets.Parse(command.Targets!, addressLists);
            (to, cc) = ([.. targets.To], [.. targets.Cc]);
            conversation = null!;
        }

        // One look-up for every recipient; a contact is created for each To address that has none.
        var addresses = to.Concat(cc).Select(m => m.Address.Normalized).Distinct().ToList();
        var known = (await contacts.ListAsync(new ContactsByEmailsSpec(addresses), cancellationToken)).ToDictionary(c => c.NormalizedEmail);
        foreach (var mailbox in to.Where(m => !known.ContainsKey(m.Address.Normalized)))
        {
            var created = Contact.Create(tenant.OrganizationId, mailbox.Address, mailbox.Name, now);
            if (created.IsFailure)
            {
                return created.Error!;
            }

            await contacts.AddAsync(created.Value, cancellationToken);
            known[mailbox.Address.Normalized] = created.Value;
        }

        if (command.ConvoId is null)
        {
            var started = Conversation.Start(
                tenant.OrganizationId, channel.Id, inbox.Id, known[to[0].Address.Normalized].Id, command.ConvTitle,
                [.. to.Select(m => new Participant(m.Address.Value, ParticipantRole.To)), .. cc.Select(m => new Participant(m.Address.Value, ParticipantRole.Cc))],
                ConversationStatus.Open, now);
            if (started.IsFailure)
            {
                return started.Error!;
            }

            conversation = started.Value;
            await conversations.AddAsync(conversation, cancellationToken);
        }

        var (recipients, compliance) = MessageComposition.ScreenRecipients(
            [.. to.Select(m => (m, RecipientKind.To)), .. cc.Select(m => (m, RecipientKind.Cc))],
            known,
            channel.Id,
            (await suppressions.ListAsync(new SuppressionsByEmailsSpec(addresses), cancellationToken)).ToDictionary(s => s.NormalizedEmail));

        var (text, html) = MessageComposition.SplitBody(command.Text);
        var (inReplyTo, references) = MessageComposition.ReplyHeaders(previous);
        var scheduleAt = string.IsNullOrEmpty(command.ScheduleAt) ? (DateTimeOffset?)null : ScheduleTime.Parse(command.ScheduleAt, now).Value;
        var message = await MessageComposition.AddOutboundAsync(
            messages,
            conversation,
            new OutboundDraft
            {
                OrganizationId = tenant.OrganizationId,
                ConversationId = conversation.Id,
                ChannelId = channel.Id,
                CreatorUserId = command.CreatorId,
                From = new Mailbox(EmailAddress.Parse(channel.Email, "inbox").Value, channel.SenderName),
                Recipients = recipients,
                Subject = previous is null && command.ConvoId is null
                    ? conversation.Title
                    : MessageComposition.ReplySubject(null, conversation.Title),
                // Plain text goes out as text/plain; HTML as multipart/alternative with raw_text (or
                // text derived from the HTML) as its plain part.
                HtmlBody = html,
                TextBody = html is null ? text : string.IsNullOrEmpty(command.RawText) ? null : command.RawText,
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

        var accepted = message.Value.Status != DeliveryStatus.Blocked;
        if (!command.DryRun)
        {
            ModularTelemetry.SendAccepted("inbox");
        }

        return new SendInboxEmailResponse(
            message.Value.Id,
            conversation.Id,
            accepted,
            message.Value.ScheduleAt is { } at && at > now ? at : now,
            compliance.ToDictionary(c => c.Address, c => c.Reason, StringComparer.OrdinalIgnoreCase))
        {
            Preview = command.DryRun
                ? EmailPreview.Of(renderer, message.Value, channel, null, command.ConvoId is null ? null : conversation.Id, now)
                : null,
        };
    }
}
