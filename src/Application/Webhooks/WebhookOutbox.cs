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

        var conversationIds = events.OfType<MessageStatusReached>().Select(e => e.Message.ConversationId).Distinct().ToList();
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
    public static bool IsPublished(IDomainEvent domainEvent) => domainEvent is MessageStatusReached or ContactConsentChanged;

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
        ContactOptedIn e => OfContact(WebhookEventTypes.ContactOptedIn, e),
        ContactOptedOut e => OfContact(WebhookEventTypes.ContactOptedOut, e),
        _ => null,
    };

    private static MappedEvent OfMessage(string type, MessageStatusReached e, IReadOnlyDictionary<long, long?> contactOf) =>
        new(type, MessageOrderingKey(e.Message.Id), e.At, MessageEventData.From(e.Message, contactOf.GetValueOrDefault(e.Message.ConversationId)));

    private static MappedEvent OfContact(string type, ContactConsentChanged e) =>
        new(type, ContactOrderingKey(e.Contact.Id), e.At, new ContactEventData(
            e.Contact.Id, e.Contact.Email, e.ChannelId, e is ContactOptedIn ? "opted_in" : "opted_out", e.At));

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
            message.Status == DeliveryStatus.Sent ? null : message.Error,
            [.. message.ComplianceResults.Select(c => new ComplianceEventData(c.Address, c.Reason))],
            message.Attempts.Count,
            message.MessageIdHeader,
            message.SentAt);
    }
}

public sealed record RecipientEventData(string Address, string Kind, string Status, SmtpReplyEventData? Reply, string? Reason);

public sealed record SmtpReplyEventData(int Code, string? EnhancedStatus, string Text);

public sealed record ComplianceEventData(string Address, string Reason);

/// <summary>The <c>data</c> of the <c>contact.opted_in</c> and <c>contact.opted_out</c> events.</summary>
public sealed record ContactEventData(long ContactId, string Email, long ChannelId, string State, DateTimeOffset ChangedAt);
