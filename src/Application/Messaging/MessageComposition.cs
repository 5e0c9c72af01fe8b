using System.Text.RegularExpressions;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Telemetry;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging;

/// <summary>Pieces every send use case composes a message from.</summary>
public static partial class MessageComposition
{
    /// <summary>At most this many Message-IDs are kept in <c>References</c> (the first and the latest).</summary>
    private const int MaxReferences = 20;

    /// <summary>A unique Message-ID on the channel's domain, without angle brackets.</summary>
    public static string NewMessageId(string domain) => $"{Guid.NewGuid():N}@{domain}";

    /// <summary>Splits a body into its plain and HTML forms: HTML when it contains a tag.</summary>
    public static (string? Text, string? Html) SplitBody(string? body) =>
        string.IsNullOrEmpty(body) ? (null, null) : HtmlTag().IsMatch(body) ? (null, body) : (body, null);

    /// <summary>In-Reply-To and References of a message that follows <paramref name="previous"/> in its thread.</summary>
    public static (string? InReplyTo, IReadOnlyList<string> References) ReplyHeaders(Message? previous)
    {
        if (previous is null)
        {
            return (null, []);
        }

        var chain = previous.References.Append(previous.MessageIdHeader).ToList();
        if (chain.Count > MaxReferences)
        {
            chain = [chain[0], .. chain[^(MaxReferences - 1)..]];
        }

        return (previous.MessageIdHeader, chain);
    }

    /// <summary>The subject of a message in an existing thread: the given one, else <c>Re: title</c>.</summary>
    public static string ReplySubject(string? subject, string title) =>
        !string.IsNullOrWhiteSpace(subject) ? subject.Trim()
        : title.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? title
        : $"Re: {title}".TrimEnd();

    /// <summary>
    /// Screens recipients for compliance: the first occurrence of an address wins (To before Cc before
    /// Bcc); a suppressed address, or a contact opted out of the channel, is left out and listed with the reason.
    /// </summary>
    public static (List<Recipient> Recipients, List<ComplianceResult> Compliance) ScreenRecipients(
        IEnumerable<(Mailbox Mailbox, RecipientKind Kind)> candidates,
        IReadOnlyDictionary<string, Contact> contactsByNormalizedEmail,
        long channelId,
        IReadOnlyDictionary<string, Suppression>? suppressionsByNormalizedEmail = null)
    {
        var recipients = new List<Recipient>();
        var compliance = new List<ComplianceResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (mailbox, kind) in candidates)
        {
            if (!seen.Add(mailbox.Address.Normalized))
            {
                continue;
            }

            var normalized = mailbox.Address.Normalized;
            if (RecipientRules.ExclusionReason(contactsByNormalizedEmail.GetValueOrDefault(normalized), channelId, suppressionsByNormalizedEmail?.GetValueOrDefault(normalized)) is { } reason)
            {
                compliance.Add(new ComplianceResult(mailbox.Address.Value, reason));
                continue;
            }

            recipients.Add(new Recipient(kind, mailbox.Address.Value, mailbox.Name));
        }

        return (recipients, compliance);
    }

    /// <summary>Creates the outbound message of a draft, adds it, and records it on its conversation.</summary>
    public static async Task<Result<Message>> AddOutboundAsync(
        IRepository<Message> messages, Conversation conversation, OutboundDraft draft, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var message = Message.CreateOutbound(draft with { TraceParent = ModularTelemetry.CurrentTraceParent() }, now);
        if (message.IsFailure)
        {
            return message.Error!;
        }

        await messages.AddAsync(message.Value, cancellationToken);
        conversation.RecordMessage(now);
        return message.Value;
    }

    [GeneratedRegex(@"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^>]*)?/?\s*>", RegexOptions.CultureInvariant)]
    private static partial Regex HtmlTag();
}

/// <summary>The contacts with any of these addresses (normalized).</summary>
public sealed class ContactsByEmailsSpec : Specification<Contact>
{
    public ContactsByEmailsSpec(IReadOnlyCollection<string> normalizedEmails)
    {
        // The usual send has one address: an equality is always planned as a unique-index look-up,
        // where "= ANY(array)" was at times planned as a scan of the organization's whole key range.
        if (normalizedEmails.Count == 1)
        {
            var only = normalizedEmails.First();
            Query.Where(c => c.NormalizedEmail == only);
        }
        else
        {
            Query.Where(c => normalizedEmails.Contains(c.NormalizedEmail));
        }
    }
}

/// <summary>The contact's most recent conversation on a channel.</summary>
public sealed class LatestConversationSpec : Specification<Conversation>
{
    public LatestConversationSpec(long contactId, long channelId) =>
        Query.Where(c => c.ContactId == contactId && c.ChannelId == channelId)
            .OrderByDescending(c => c.LastMessageAt)
            .ThenByDescending(c => c.Id)
            .Take(1);
}

/// <summary>The latest message of a conversation (the one a new message replies to).</summary>
public sealed class LatestMessageSpec : Specification<Message>
{
    public LatestMessageSpec(long conversationId) =>
        Query.Where(m => m.ConversationId == conversationId)
            .OrderByDescending(m => m.CreatedAt)
            .ThenByDescending(m => m.Id)
            .Take(1)
            .AsNoTracking();
}
