using Modular.Domain.Common;

namespace Modular.Domain.Webhooks;

/// <summary>The event types the service publishes, as receivers see them.</summary>
public static class WebhookEventTypes
{
    /// <summary>Subscribes an endpoint to every type, including types added later.</summary>
    public const string All = "*";

    public const string MessageSent = "message.sent";
    public const string MessageFailed = "message.failed";
    public const string MessageUncertain = "message.uncertain";
    public const string MessageBlocked = "message.blocked";
    public const string MessageCanceled = "message.canceled";
    public const string MessageReceived = "message.received";
    public const string MessageBounced = "message.bounced";
    public const string MessageComplained = "message.complained";
    public const string ContactOptedIn = "contact.opted_in";
    public const string ContactOptedOut = "contact.opted_out";
    public const string ContactUnsubscribed = "contact.unsubscribed";
    public const string ContactErased = "contact.erased";

    /// <summary>Every type an endpoint may subscribe to; a new event type is added here and to its mapping.</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        MessageSent, MessageFailed, MessageUncertain, MessageBlocked, MessageCanceled, MessageReceived, MessageBounced, MessageComplained,
        ContactOptedIn, ContactOptedOut, ContactUnsubscribed, ContactErased,
    ];

    /// <summary>Why a list of subscribed types is refused; null when it is fine.</summary>
    public static string? Refusal(IReadOnlyList<string> types)
    {
        if (types.Count == 0)
        {
            return "Give at least one event type, or [\"*\"] for all of them.";
        }

        var unknown = types.Where(t => t != All && !Known.Contains(t)).ToList();
        return unknown.Count == 0
            ? null
            : $"Unknown event type(s): {string.Join(", ", unknown)}. Known types: {string.Join(", ", Known)}, or \"*\".";
    }

    internal static List<string> Normalize(IReadOnlyList<string> types) =>
        types.Contains(All) ? [All] : [.. types.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>
/// One event in the transactional outbox: written in the same transaction as the change that caused
/// it, with its stable public id (<c>evt_…</c>, the <c>webhook-id</c> of every delivery and retry) and
/// the exact JSON body receivers get. Events of one subject (a message, a contact) share an ordering
/// key; the database-assigned <see cref="Entity.Id"/> orders them.
/// </summary>
public sealed class WebhookEvent : Entity, ITenantOwned
{
    private WebhookEvent()
    {
        PublicId = string.Empty;
        Type = string.Empty;
        OrderingKey = string.Empty;
        Body = string.Empty;
    }

    public long OrganizationId { get; private set; }

    /// <summary><c>evt_</c> and 32 hex digits.</summary>
    public string PublicId { get; private set; }

    public string Type { get; private set; }

    /// <summary>The subject whose events go out in order per endpoint: <c>message:42</c>, <c>contact:7</c>.</summary>
    public string OrderingKey { get; private set; }

    /// <summary>The JSON body sent to endpoints, byte for byte the same on every attempt.</summary>
    public string Body { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>When the dispatcher made this event's deliveries (one per subscribed endpoint); null until then.</summary>
    public DateTimeOffset? FannedOutAt { get; private set; }

    public static string NewPublicId() => "evt_" + Guid.CreateVersion7().ToString("N");

    public static WebhookEvent Create(long organizationId, string publicId, string type, string orderingKey, string body, DateTimeOffset occurredAt) => new()
    {
        OrganizationId = organizationId,
        PublicId = publicId,
        Type = type,
        OrderingKey = orderingKey,
        Body = body,
        OccurredAt = occurredAt,
    };
}
