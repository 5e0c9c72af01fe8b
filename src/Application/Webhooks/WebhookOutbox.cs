using System.Text.Json;
using System.Text.Json.Serialization;
using Modular.Application.Common.Events;
using Modular.Application.Common.Persistence;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Messaging;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks;

/// <summary>
/// The webhook side of the transactional outbox: turns the domain events a unit of work raised into
/// <see cref="WebhookEvent"/> rows saved in the same transaction, and wakes the dispatcher once they are
/// committed. <see cref="Map"/> is the one place that says which domain event is which webhook event.
/// </summary>
public sealed class WebhookOutbox(ICurrentTenant tenant, IConversationContacts contacts, IWebhookDispatchTrigger trigger) : ITransactionalEventRecorder
{
    /// <summary>snake_case, no indentation: the bodies receivers get.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public async ValueTask<IReadOnlyList<Entity>> RecordsForAsync(IReadOnlyList<IDomainEvent> events, CancellationToken cancellationToken)
    {
        if (!events.Any(IsPublished))
        {
            return [];
        }

        var conversationIds = events.OfType<MessageStatusReached>().Select(e => e.Message.ConversationId)
            .Concat(events.OfType<MessageBounced>().Select(e => e.Message.ConversationId))
            .Concat(events.OfType<MessageComplained>().Select(e => e.Message.ConversationId))
            .Distinct().ToList();
        var contactOf = conversationIds.Count == 0
            ? new Dictionary<long, long?>()
            : await contacts.ContactsOfAsync(conversationIds, cancellationToken);
        var rows = new List<Entity>();
        foreach (var domainEvent in events)
        {
            if (Map(domainEvent, contactOf) is { } mapped)
            {
                var id = WebhookEvent.NewPublicId();
                var body = JsonSerializer.Serialize(new WebhookEnvelope(id, mapped.Type, mapped.At, mapped.Data), Json);
                rows.Add(WebhookEvent.Create(tenant.OrganizationId, id, mapped.Type, mapped.OrderingKey, body, mapped.At));
            }
        }

        return rows;
    }

    public void Committed() => trigger.Signal();

    /// <summary>True for the domain events that become webhook events.</summary>
    public static bool IsPublished(IDomainEvent domainEvent) =>
        domainEvent is MessageStatusReached or MessageReceived or MessageBounced or MessageComplained or ContactConsentChanged or ContactUnsubscribed or ContactErased;

    /// <summary>
    /// Which domain event is which webhook event, with the subject whose events go out in order and the
    /// payload. A new event type is one more line here (and its name in <see cref="WebhookEventTypes.Known"/>).
    /// </summary>
    public static MappedEvent? Map(IDomainEvent domainEvent, IReadOnlyDictionary<long, long?> contactOfConversation) => domainEvent switch
    {
        MessageSent e => OfMessage(WebhookEventTypes.MessageSent, e, contactOfConversation),
        MessageFailed e => OfMessage(WebhookEventTypes.MessageFailed, e, contactOfConversation),
        MessageUncertain e => OfMessage(WebhookEventTypes.MessageUncertain, e, contactOfConversation),
        MessageBlocked e => OfMessage(WebhookEventTypes.MessageBlocked, e, contactOfConversation),
        MessageCanceled e => OfMessage(WebhookEventTypes.MessageCanceled, e, contactOfConversation),
        MessageReceived e => new(WebhookEventTypes.MessageReceived, MessageOrderingKey(e.Message.Id), e.Message.CreatedAt, MessageEventData.From(e.Message, e.ContactId)),
        MessageBounced e => new(WebhookEventTypes.MessageBounced, MessageOrderingKey(e.Message.Id), e.At,
            MessageReportEventData.From(e.Message, contactOfConversation.GetValueOrDefault(e.Message.ConversationId), e.Address, e.Status, e.Diagnostic, e.Permanent, null)),
        MessageComplained e => new(WebhookEventTypes.MessageComplained, MessageOrderingKey(e.Message.Id), e.At,
            MessageReportEventData.From(e.Message, contactOfConversation.GetValueOrDefault(e.Message.ConversationId), e.Address, null, null, true, e.FeedbackType)),
        ContactOptedIn e => OfContact(WebhookEventTypes.ContactOptedIn, e.Contact, e.ChannelId, "opted_in", e.Source, null, e.At),
        ContactOptedOut e => OfContact(WebhookEventTypes.ContactOptedOut, e.Contact, e.ChannelId, "opted_out", e.Source, null, e.At),
        ContactUnsubscribed e => OfContact(WebhookEventTypes.ContactUnsubscribed, e.Contact, e.ChannelId, "opted_out", e.Source, e.MessageId, e.At),
        // Only the id and the time: the point of the event is that nothing else of the contact is left.
        ContactErased e => new(WebhookEventTypes.ContactErased, ContactOrderingKey(e.ContactId), e.At, new ContactErasedEventData(e.ContactId, e.At)),
        _ => null,
    };

    private static MappedEvent OfMessage(string type, MessageStatusReached e, IReadOnlyDictionary<long, long?> contactOf) =>
        new(type, MessageOrderingKey(e.Message.Id), e.At, MessageEventData.From(e.Message, contactOf.GetValueOrDefault(e.Message.ConversationId)));

    private static MappedEvent OfContact(string type, Contact contact, long channelId, string state, ConsentSource source, long? messageId, DateTimeOffset at) =>
        new(type, ContactOrderingKey(contact.Id), at, new ContactEventData(
            contact.Id, contact.Email, channelId, state, Contacts.ContactResponse.Format(source), messageId, at));

    /// <summary>Events of one message go out in order per endpoint.</summary>
    public static string MessageOrderingKey(long messageId) => $"message:{messageId}";

    public static string ContactOrderingKey(long contactId) => $"contact:{contactId}";
}

/// <summary>A domain event as a webhook event: its type, ordering key, time and payload (<c>data</c>).</summary>
public sealed record MappedEvent(string Type, string OrderingKey, DateTimeOffset At, object Data);

/// <summary>The JSON body of every webhook request: <c>{ "id", "type", "timestamp", "data" }</c>.</summary>
public sealed record WebhookEnvelope(string Id, string Type, DateTimeOffset Timestamp, object Data);

/// <summary>The <c>data</c> of the <c>message.*</c> events: the message as it was when it reached the status.</summary>
public sealed record MessageEventData(
    long MessageId,
    long ConversationId,
    long? ContactId,
    long ChannelId,
    string Status,
    string? Recipient,
    IReadOnlyList<RecipientEventData> Recipients,
    SmtpReplyEventData? SmtpReply,
    string? Reason,
    IReadOnlyList<ComplianceEventData> ComplianceResults,
    int Attempts,
    string MessageIdHeader,
    DateTimeOffset? SentAt)
{
    public static MessageEventData From(Message message, long? contactId)
    {
        var last = message.Attempts.Count > 0 ? message.Attempts[^1] : null;
        return new MessageEventData(
            message.Id,
            message.ConversationId,
            contactId,
            message.ChannelId,
            Message.Format(message.Status),
            message.Recipients.FirstOrDefault(r => r.Kind == RecipientKind.To)?.Address,
            [.. message.Recipients.Select(r => new RecipientEventData(
                r.Address, r.Kind.ToString().ToLowerInvariant(), r.Status.ToString().ToLowerInvariant(),
                r.Reply is { } reply ? new SmtpReplyEventData(reply.Code, reply.EnhancedStatus, reply.Text) : null, r.Reason))],
            last?.ReplyCode is { } code ? new SmtpReplyEventData(code, last.EnhancedStatus, last.ReplyText ?? string.Empty) : null,
            message.Status == DeliveryStatus.Sent ? null : message.CancelReason ?? message.Error,
            [.. message.ComplianceResults.Select(c => new ComplianceEventData(c.Address, c.Reason))],
            message.Attempts.Count,
            message.MessageIdHeader,
            message.SentAt);
    }
}

public sealed record RecipientEventData(string Address, string Kind, string Status, SmtpReplyEventData? Reply, string? Reason);

public sealed record SmtpReplyEventData(int Code, string? EnhancedStatus, string Text);

public sealed record ComplianceEventData(string Address, string Reason);

/// <summary>
/// The <c>data</c> of the <c>contact.*</c> events: the consent state now, what changed it (<c>api</c>,
/// <c>send_opt_in</c>, <c>unsubscribe_link</c>, <c>unsubscribe_email</c>, <c>complaint</c>) and, for an
/// unsubscription, the message it came from.
/// </summary>
/// <summary>The <c>data</c> of <c>contact.erased</c>: the id, so a receiver can erase its own copy, and when.</summary>
public sealed record ContactErasedEventData(long ContactId, DateTimeOffset ErasedAt);

public sealed record ContactEventData(long ContactId, string Email, long ChannelId, string State, string Source, long? MessageId, DateTimeOffset ChangedAt);

/// <summary>
/// The <c>data</c> of <c>message.bounced</c> and <c>message.complained</c>: the message, the recipient the
/// report is about, and what it said (bounce: RFC 3463 status, diagnostic, permanent; complaint: feedback type).
/// </summary>
public sealed record MessageReportEventData(
    long MessageId,
    long ConversationId,
    long? ContactId,
    long ChannelId,
    string Recipient,
    string? Status,
    string? Diagnostic,
    bool Permanent,
    string? FeedbackType,
    string MessageIdHeader)
{
    public static MessageReportEventData From(Message message, long? contactId, string recipient, string? status, string? diagnostic, bool permanent, string? feedbackType) =>
        new(message.Id, message.ConversationId, contactId, message.ChannelId, recipient, status, diagnostic, permanent, feedbackType, message.MessageIdHeader);
}
