using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.ReceiveEmail;

/// <summary>
/// An email that came in on a channel, as its raw RFC 5322 bytes: from the channel's IMAP mailbox or
/// from <c>POST /v1/channels/{id}/inbound</c>, once <see cref="InboundEmails"/> has classified it as a
/// conversation email (it also settles the race of two copies of one message arriving at together).
/// <paramref name="Parsed"/> is the email as the router already read it, so it is not parsed twice.
/// </summary>
public sealed record ReceiveEmailCommand(long ChannelId, byte[] Raw, ParsedEmail? Parsed = null) : ICommand<Result<ReceiveEmailResponse>>;

/// <summary>What became of an inbound email: the message, its conversation and sender; <c>duplicate</c> when it was stored before.</summary>
public sealed record ReceiveEmailResponse(long Id, long ConversationId, long ContactId, bool Duplicate);

public sealed class ReceiveEmailValidator : AbstractValidator<ReceiveEmailCommand>
{
    public ReceiveEmailValidator()
    {
        RuleFor(x => x.ChannelId).GreaterThan(0);
        RuleFor(x => x.Raw).Must(raw => raw is { Length: > 0 }).OverridePropertyName("body")
            .WithMessage("The body is empty; it must be an email (RFC 5322, Content-Type message/rfc822).");
    }
}

/// <summary>The messages of the organization with any of these Message-IDs (the thread look-up; indexed).</summary>
public sealed class MessagesByHeaderIdsSpec : Specification<Message>
{
    public MessagesByHeaderIdsSpec(IReadOnlyCollection<string> messageIds)
    {
        if (messageIds.Count == 1)
        {
            var only = messageIds.First();
            Query.Where(m => m.MessageIdHeader == only);
        }
        else
        {
            Query.Where(m => messageIds.Contains(m.MessageIdHeader));
        }

        Query.AsNoTracking();
    }
}

/// <summary>The message with this Message-ID on this channel (each is stored once per channel).</summary>
public sealed class MessageOnChannelSpec : Specification<Message>
{
    public MessageOnChannelSpec(long channelId, string messageId) =>
        Query.Where(m => m.ChannelId == channelId && m.MessageIdHeader == messageId).AsNoTracking().Take(1);
}

/// <summary>The scheduled follow-ups of a conversation that a reply cancels.</summary>
public sealed class FollowUpsToCancelSpec : Specification<Message>
{
    public FollowUpsToCancelSpec(long conversationId) =>
        Query.Where(m => m.ConversationId == conversationId && m.CancelOnReply && m.Status == DeliveryStatus.Scheduled);
}

/// <summary>The contact's latest conversation on the channel with this title (any case).</summary>
public sealed class ConversationByTitleSpec : Specification<Conversation>
{
    public ConversationByTitleSpec(long contactId, long channelId, string title)
    {
        var lowered = title.ToLowerInvariant();
        Query.Where(c => c.ContactId == contactId && c.ChannelId == channelId && c.Title.ToLower() == lowered)
            .OrderByDescending(c => c.LastMessageAt)
            .ThenByDescending(c => c.Id)
            .Take(1);
    }
}

public sealed class ReceiveEmailHandler(
    IRepository<Channel> channels,
    IRepository<Contact> contacts,
    IRepository<Conversation> conversations,
    IRepository<Message> messages,
    IMessageContentStore contents,
    IEmailParser parser,
    ICurrentTenant tenant,
    TimeProvider clock) : ICommandHandler<ReceiveEmailCommand, Result<ReceiveEmailResponse>>
{
    /// <summary>The newest References ids tried when threading (a long chain's oldest ids add nothing).</summary>
    private const int MaxThreadIds = 50;

    public async ValueTask<Result<ReceiveEmailResponse>> Handle(ReceiveEmailCommand command, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(command.ChannelId), cancellationToken);
        if (channel is null)
        {
            return Error.NotFound("channel", command.ChannelId);
        }

        Result<ParsedEmail> parsed = command.Parsed is { } given ? given : parser.Parse(command.Raw);
        if (parsed.IsFailure)
        {
            return parsed.Error!;
        }

        var email = parsed.Value;
        var from = SenderOf(email);
        if (from.IsFailure)
        {
            return from.Error!;
        }

        var messageId = email.MessageId ?? SyntheticMessageId(command.Raw);
        if (await messages.FirstOrDefaultAsync(new MessageOnChannelSpec(channel.Id, messageId), cancellationToken) is { } stored)
        {
            return await DuplicateOf(stored, cancellationToken);
        }

        return await ThreadAsync(command, channel, email, from.Value, messageId, cancellationToken);
    }

    private async Task<Result<ReceiveEmailResponse>> ThreadAsync(
        ReceiveEmailCommand command, Channel channel, ParsedEmail email, Mailbox from, string messageId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var contact = await contacts.FirstOrDefaultAsync(new ContactsByEmailsSpec([from.Address.Normalized]), cancellationToken);
        var isNewContact = contact is null;
        if (contact is null)
        {
            // A stranger: a contact with no consent to any channel.
            var created = Contact.Create(tenant.OrganizationId, from.Address, from.Name, now);
            if (created.IsFailure)
            {
                return created.Error!;
            }

            contact = created.Value;
            await contacts.AddAsync(contact, cancellationToken);
        }

        var title = Subjects.WithoutReplyPrefixes(email.Subject);
        var conversation = await FindThreadAsync(email, cancellationToken)
            ?? (title.Length > 0 && !isNewContact ? await conversations.FirstOrDefaultAsync(new ConversationByTitleSpec(contact.Id, channel.Id, title), cancellationToken) : null);
        var isNewConversation = conversation is null;
        if (conversation is null)
        {
            var started = Conversation.Start(
                tenant.OrganizationId, channel.Id, inboxId: null, contact.Id, title,
                [new Participant(from.Address.Value, ParticipantRole.To)], ConversationStatus.Open, now);
            if (started.IsFailure)
            {
                return started.Error!;
            }

            conversation = started.Value;
            await conversations.AddAsync(conversation, cancellationToken);
        }

        var attachments = email.Attachments
            .Select((a, i) => new ReceivedAttachment(i, a.FileName, a.ContentType, a.Content.LongLength))
            .ToList();
        var message = Message.CreateInbound(
            new InboundDraft
            {
                OrganizationId = tenant.OrganizationId,
                ConversationId = conversation.Id,
                ChannelId = channel.Id,
                From = from,
                ReplyTo = MailboxOrNull(email.ReplyTo),
                Recipients =
                [
                    .. email.To.Select(m => RecipientOrNull(m, RecipientKind.To)).OfType<Recipient>(),
                    .. email.Cc.Select(m => RecipientOrNull(m, RecipientKind.Cc)).OfType<Recipient>(),
                ],
                Subject = email.Subject,
                TextBody = email.TextBody,
                HtmlBody = email.HtmlBody,
                Attachments = attachments,
                MessageIdHeader = messageId,
                InReplyTo = email.InReplyTo,
                References = email.References,
                Date = email.Date,
                AutoReply = email.AutoReply,
            },
            contact.Id,
            now);
        if (message.IsFailure)
        {
            return message.Error!;
        }

        await messages.AddAsync(message.Value, cancellationToken);
        contents.Add(MessageSource.Of(tenant.OrganizationId, message.Value.Id, command.Raw));
        foreach (var attachment in attachments)
        {
            contents.Add(MessageAttachmentContent.Of(tenant.OrganizationId, message.Value.Id, attachment, email.Attachments[attachment.Index].Content));
        }

        conversation.ReceiveMessage(email.AutoReply, now);
        if (!email.AutoReply && !isNewConversation)
        {
            foreach (var followUp in await messages.ListAsync(new FollowUpsToCancelSpec(conversation.Id), cancellationToken))
            {
                followUp.CancelBecauseContactReplied(now);
            }
        }

        return new ReceiveEmailResponse(message.Value.Id, conversation.Id, contact.Id, Duplicate: false);
    }

    /// <summary>The conversation of the message this one answers: In-Reply-To first, then References newest first.</summary>
    private async Task<Conversation?> FindThreadAsync(ParsedEmail email, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        if (email.InReplyTo is { } inReplyTo)
        {
            ids.Add(inReplyTo);
        }

        ids.AddRange(Enumerable.Reverse(email.References).Where(r => !ids.Contains(r)).Take(MaxThreadIds));
        if (ids.Count == 0)
        {
            return null;
        }

        var found = await messages.ListAsync(new MessagesByHeaderIdsSpec(ids), cancellationToken);
        var best = found.OrderBy(m => ids.IndexOf(m.MessageIdHeader)).ThenBy(m => m.Id).FirstOrDefault();
        var thread = best is null ? null : await conversations.FirstOrDefaultAsync(new ByIdSpec<Conversation>(best.ConversationId), cancellationToken);

        // The thread of an erased contact stays erased: a reply to it starts a conversation of its own.
        if (thread?.ContactId is { } owner
            && await contacts.FirstOrDefaultAsync(new ByIdSpec<Contact>(owner), cancellationToken) is { IsErased: true })
        {
            return null;
        }

        return thread;
    }

    private async Task<Result<ReceiveEmailResponse>> DuplicateOf(Message stored, CancellationToken cancellationToken)
    {
        var sender = await contacts.FirstOrDefaultAsync(new ContactsByEmailsSpec([stored.FromAddress.ToLowerInvariant()]), cancellationToken);
        return new ReceiveEmailResponse(stored.Id, stored.ConversationId, sender?.Id ?? 0, Duplicate: true);
    }

    /// <summary>Who wrote: From, else Sender-like fallbacks the parser found; held to the service's address rules.</summary>
    private static Result<Mailbox> SenderOf(ParsedEmail email)
    {
        if (email.From is not { } from)
        {
            return Error.Validation("from", "The email has no From address.");
        }

        if (!EmailAddress.TryParse(from.Address, out var address, out var reason))
        {
            return Error.Validation("from", $"The email's From address cannot be used: {reason}");
        }

        return new Mailbox(address, Names.Clean(from.Name, Contact.NameMaxLength));
    }

    private static Mailbox? MailboxOrNull(ParsedMailbox? mailbox) =>
        mailbox is not null && EmailAddress.TryParse(mailbox.Address, out var address, out _)
            ? new Mailbox(address, Names.Clean(mailbox.Name, Contact.NameMaxLength))
            : null;

    private static Recipient? RecipientOrNull(ParsedMailbox mailbox, RecipientKind kind) =>
        MailboxOrNull(mailbox) is { } m ? new Recipient(kind, m.Address.Value, m.Name) { Status = RecipientStatus.Sent } : null;

    /// <summary>For an email without a Message-ID: one derived from its bytes, so the same bytes are stored once.</summary>
    private static string SyntheticMessageId(byte[] raw) =>
        $"{Convert.ToHexStringLower(SHA256.HashData(raw))[..40]}@no-message-id.invalid";
}

/// <summary>Subjects of replies and forwards.</summary>
public static class Subjects
{
    private static readonly string[] Prefixes = ["re", "fwd", "fw", "aw", "sv", "wg", "vs", "antw"];

    /// <summary><c>Re: Fwd: AW: Your order</c> → <c>Your order</c> (also <c>Re[2]:</c>, any case).</summary>
    public static string WithoutReplyPrefixes(string subject)
    {
        var rest = subject.AsSpan().Trim();
        while (true)
        {
            var colon = rest.IndexOf(':');
            if (colon <= 0)
            {
                break;
            }

            var head = rest[..colon].Trim();
            var bracket = head.IndexOf('[');
            if (bracket > 0 && head[^1] == ']')
            {
                head = head[..bracket].Trim();
            }

            var isPrefix = false;
            foreach (var prefix in Prefixes)
            {
                if (head.Equals(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    isPrefix = true;
                    break;
                }
            }

            if (!isPrefix)
            {
                break;
            }

            rest = rest[(colon + 1)..].TrimStart();
        }

        return rest.ToString();
    }
}

internal static class Names
{
    /// <summary>A display name as stored: trimmed, at most <paramref name="max"/> characters, null when empty.</summary>
    public static string? Clean(string? name, int max)
    {
        var trimmed = name?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Length > max ? trimmed[..max] : trimmed;
    }
}
