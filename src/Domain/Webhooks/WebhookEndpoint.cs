using Modular.Domain.Common;

namespace Modular.Domain.Webhooks;

/// <summary>
/// A customer's HTTP endpoint that hears about events: its URL, the event types it wants (or all of
/// them), its signing secret (and, for a day after a rotation, the previous one), and whether it is
/// enabled. The dispatcher disables it after too many consecutive failed events, saying why.
/// </summary>
public sealed class WebhookEndpoint : AggregateRoot, ITenantOwned
{
    public const int UrlMaxLength = 2000;
    public const int DescriptionMaxLength = 500;

    /// <summary>How long the previous secret keeps signing after a rotation.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    private List<string> _eventTypes = [];

    private WebhookEndpoint()
    {
        Url = string.Empty;
        ProtectedSecret = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Url { get; private set; }

    public string? Description { get; private set; }

    /// <summary>Event types sent to the endpoint; <c>*</c> means every type.</summary>
    public IReadOnlyList<string> EventTypes => _eventTypes;

    public bool Enabled { get; private set; }

    /// <summary>Why the endpoint was disabled (by the dispatcher or by a client); null while enabled.</summary>
    public string? DisabledReason { get; private set; }

    /// <summary>The signing secret (<c>whsec_…</c>), encrypted at rest.</summary>
    public string ProtectedSecret { get; private set; }

    /// <summary>The secret before the last rotation, still signing until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousProtectedSecret { get; private set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; private set; }

    /// <summary>Events in a row whose delivery failed for good (reset by a success); written by the dispatcher.</summary>
    public int ConsecutiveFailures { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Result<WebhookEndpoint> Create(long organizationId, Uri url, IReadOnlyList<string> eventTypes, string? description, string protectedSecret, DateTimeOffset now)
    {
        if (WebhookEventTypes.Refusal(eventTypes) is { } refusal)
        {
            return Error.Validation("events", refusal);
        }

        if (Describe(description) is { IsFailure: true } bad)
        {
            return bad.Error!;
        }

        return new WebhookEndpoint
        {
            OrganizationId = organizationId,
            Url = url.AbsoluteUri,
            _eventTypes = WebhookEventTypes.Normalize(eventTypes),
            Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(),
            Enabled = true,
            ProtectedSecret = protectedSecret,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>True when events of <paramref name="type"/> go to this endpoint.</summary>
    public bool Wants(string type) => _eventTypes.Contains(WebhookEventTypes.All) || _eventTypes.Contains(type);

    public void ChangeUrl(Uri url, DateTimeOffset now)
    {
        Url = url.AbsoluteUri;
        UpdatedAt = now;
    }

    public Result ChangeEvents(IReadOnlyList<string> eventTypes, DateTimeOffset now)
    {
        if (WebhookEventTypes.Refusal(eventTypes) is { } refusal)
        {
            return Error.Validation("events", refusal);
        }

        _eventTypes = WebhookEventTypes.Normalize(eventTypes);
        UpdatedAt = now;
        return Result.Success();
    }

    public Result ChangeDescription(string? description, DateTimeOffset now)
    {
        var described = Describe(description);
        if (described.IsFailure)
        {
            return described.Error!;
        }

        Description = described.Value;
        UpdatedAt = now;
        return Result.Success();
    }

    /// <summary>Enables the endpoint again: its failure count starts over.</summary>
    public void Enable(DateTimeOffset now)
    {
        Enabled = true;
        DisabledReason = null;
        ConsecutiveFailures = 0;
        UpdatedAt = now;
    }

    public void Disable(string reason, DateTimeOffset now)
    {
        Enabled = false;
        DisabledReason = reason;
        UpdatedAt = now;
    }

    /// <summary>
    /// A new secret signs from now on; the current one keeps signing alongside it for
    /// <see cref="RotationOverlap"/>, so receivers can switch without losing an event.
    /// </summary>
    public void RotateSecret(string protectedSecret, DateTimeOffset now)
    {
        PreviousProtectedSecret = ProtectedSecret;
        PreviousSecretExpiresAt = now + RotationOverlap;
        ProtectedSecret = protectedSecret;
        UpdatedAt = now;
    }

    /// <summary>The secrets that sign at <paramref name="now"/>: the current one, and the previous one during the overlap.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousProtectedSecret is { } previous && PreviousSecretExpiresAt > now ? [ProtectedSecret, previous] : [ProtectedSecret];

    private static Result<string?> Describe(string? description)
    {
        if (description is null)
        {
            return Result<string?>.Success(null);
        }

        if (HeaderText.HasLineBreak(description) || description.Trim().Length > DescriptionMaxLength)
        {
            return Error.Validation("description", $"A description has at most {DescriptionMaxLength} characters and no line break.");
        }

        return Result<string?>.Success(description.Trim().Length == 0 ? null : description.Trim());
    }
}
