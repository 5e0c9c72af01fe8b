namespace Modular.Application.Webhooks.Ports;

/// <summary>The contact each conversation was started with, for the <c>contact_id</c> of message events.</summary>
public interface IConversationContacts
{
    Task<IReadOnlyDictionary<long, long?>> ContactsOfAsync(IReadOnlyCollection<long> conversationIds, CancellationToken cancellationToken);
}

/// <summary>Wakes this process's webhook dispatcher (or asks for a dispatch run) once events are committed.</summary>
public interface IWebhookDispatchTrigger
{
    void Signal();

    /// <summary>Waits until <see cref="Signal"/> is called or <paramref name="timeout"/> passes; true when signaled.</summary>
    Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Whether the service may send webhooks to a URL a tenant gives (the address guard of attachments).</summary>
public interface IWebhookUrlPolicy
{
    /// <summary>Null when the URL may be used (a name that does not resolve yet is accepted); else why not.</summary>
    Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken);
}

/// <summary>A delivery of one event to one endpoint, taken by this process for one attempt.</summary>
public sealed record ClaimedWebhookDelivery(
    long Id,
    long OrganizationId,
    long EndpointId,
    long EventId,
    string EventPublicId,
    string EventType,
    string Body,
    int Attempts,
    string Url,
    IReadOnlyList<string> ProtectedSecrets);

/// <summary>What a receiver answered (or why it did not).</summary>
public sealed record WebhookHttpOutcome(int? StatusCode, TimeSpan Duration, string? ResponseExcerpt, string? Error)
{
    /// <summary>A 2xx within the timeout; a redirect is not followed and is a failure.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    public string Describe() => StatusCode is { } code ? $"HTTP {code}" : Error ?? "no answer";
}

/// <summary>One signed request to a receiver.</summary>
public sealed record WebhookRequest(string Url, string WebhookId, long Timestamp, string Signature, string Body);

/// <summary>Posts signed events over HTTP(S) through the address guard, without following redirects.</summary>
public interface IWebhookSender
{
    /// <summary>Never throws for the receiver's failures: they are in the outcome.</summary>
    Task<WebhookHttpOutcome> SendAsync(WebhookRequest request, CancellationToken cancellationToken);
}

/// <summary>The outcome of one attempt and what follows: delivered, retried at <see cref="RetryAt"/>, or given up.</summary>
public sealed record WebhookAttemptResult(ClaimedWebhookDelivery Delivery, WebhookHttpOutcome Outcome, DateTimeOffset At, DateTimeOffset? RetryAt)
{
    public bool GaveUp => !Outcome.Succeeded && RetryAt is null;
}

/// <summary>
/// What a batch of attempts does to an endpoint's count of consecutive failed events: with
/// <c>Reset</c> (a success came) the count starts again from <c>FailedEvents</c> (those given up after
/// it); otherwise <c>FailedEvents</c> are added to it.
/// </summary>
public sealed record EndpointHealthChange(long EndpointId, bool Reset, int FailedEvents, string? LastFailure);

/// <summary>
/// The outbox's SQL: making deliveries of new events (one per subscribed, enabled endpoint), claiming
/// due deliveries (events of one subject in order per endpoint), and recording attempts.
/// </summary>
public interface IWebhookDispatchStore
{
    /// <summary>Makes the deliveries of up to <paramref name="max"/> new events; returns how many events it took.</summary>
    Task<int> FanOutAsync(int max, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> due deliveries for <paramref name="lease"/>; an earlier pending event of the same subject and endpoint holds a later one back.</summary>
    Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimAsync(int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Saves the attempts, the deliveries' next step and the endpoints' health in one transaction; disables endpoints that reach <paramref name="disableAfter"/>.</summary>
    Task RecordAsync(IReadOnlyList<WebhookAttemptResult> results, IReadOnlyList<EndpointHealthChange> health, int disableAfter, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One attempt of the delivery log, as clients see it.</summary>
public sealed record WebhookAttemptResponse(
    long Id,
    string EventId,
    string EventType,
    DateTimeOffset AttemptedAt,
    bool Succeeded,
    int? StatusCode,
    int DurationMs,
    string? Response,
    string? Error,
    int Attempt);

/// <summary>The delivery log of an endpoint and its replays (the current tenant's only).</summary>
public interface IWebhookDeliveryLog
{
    Task<(IReadOnlyList<WebhookAttemptResponse> Page, int Total)> ListAsync(long endpointId, int limit, int offset, CancellationToken cancellationToken);

    /// <summary>Queues the event of <paramref name="attemptId"/> to its endpoint again (same <c>webhook-id</c>); null when there is no such attempt.</summary>
    Task<string?> ReplayAsync(long endpointId, long attemptId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the endpoint with its deliveries and log; false when there is none.</summary>
    Task<bool> DeleteAsync(long endpointId, CancellationToken cancellationToken);
}
