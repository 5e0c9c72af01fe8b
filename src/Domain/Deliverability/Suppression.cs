using Modular.Domain.Common;

namespace Modular.Domain.Deliverability;

/// <summary>Why an address is suppressed.</summary>
public enum SuppressionReason
{
    /// <summary>A permanent failure (5.x.x) was reported for it.</summary>
    HardBounce,

    /// <summary>Three temporary failures (4.x.x) were reported for it within 7 days.</summary>
    SoftBounce,

    /// <summary>Its owner complained (an RFC 5965 feedback report).</summary>
    Complaint,

    /// <summary>Added through the API.</summary>
    Manual,
}

public sealed record AddressSuppressed(string Email, SuppressionReason Reason, long? MessageId, DateTimeOffset At) : IDomainEvent;

public sealed record SuppressionRemoved(string Email, DateTimeOffset At) : IDomainEvent;

/// <summary>
/// An address of the organization nothing is sent to, whoever sends and on whichever channel: both send
/// dialects leave it out when accepting and again when sending, with <c>suppressed:&lt;reason&gt;</c>.
/// </summary>
public sealed class Suppression : AggregateRoot, ITenantOwned
{
    public const int DetailMaxLength = 1000;

    private Suppression()
    {
        Email = string.Empty;
        NormalizedEmail = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Email { get; private set; }

    /// <summary>The address lower-cased; unique within the organization.</summary>
    public string NormalizedEmail { get; private set; }

    public SuppressionReason Reason { get; private set; }

    /// <summary>What was reported (a bounce's status and diagnostic), when the suppression came from a report.</summary>
    public string? Detail { get; private set; }

    /// <summary>The message whose report suppressed the address, if any.</summary>
    public long? MessageId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The reason as clients see it: <c>hard_bounce</c>, <c>soft_bounce</c>, <c>complaint</c>, <c>manual</c>.</summary>
    public static string Format(SuppressionReason reason) => reason switch
    {
        SuppressionReason.HardBounce => "hard_bounce",
        SuppressionReason.SoftBounce => "soft_bounce",
        SuppressionReason.Complaint => "complaint",
        _ => "manual",
    };

    public static SuppressionReason? Parse(string? reason) => reason?.ToLowerInvariant() switch
    {
        "hard_bounce" => SuppressionReason.HardBounce,
        "soft_bounce" => SuppressionReason.SoftBounce,
        "complaint" => SuppressionReason.Complaint,
        "manual" => SuppressionReason.Manual,
        _ => null,
    };

    /// <summary>What a suppressed recipient is listed with in <c>compliance_results</c>.</summary>
    public string ComplianceReason => "suppressed:" + Format(Reason);

    public static Suppression Create(long organizationId, EmailAddress email, SuppressionReason reason, string? detail, long? messageId, DateTimeOffset now)
    {
        var suppression = new Suppression
        {
            OrganizationId = organizationId,
            Email = email.Value,
            NormalizedEmail = email.Normalized,
            Reason = reason,
            Detail = Trim(detail),
            MessageId = messageId,
            CreatedAt = now,
        };
        suppression.Raise(new AddressSuppressed(suppression.Email, reason, messageId, now));
        return suppression;
    }

    /// <summary>
    /// A stronger reason replaces a weaker one (a complaint or a hard bounce over a manual entry or soft
    /// bounces); the same or a weaker one changes nothing. True when it changed.
    /// </summary>
    public bool Escalate(SuppressionReason reason, string? detail, long? messageId, DateTimeOffset now)
    {
        if (Rank(reason) <= Rank(Reason))
        {
            return false;
        }

        Reason = reason;
        Detail = Trim(detail);
        MessageId = messageId;
        Raise(new AddressSuppressed(Email, reason, messageId, now));
        return true;
    }

    /// <summary>Records that the suppression is lifted; the caller removes it.</summary>
    public void Remove(DateTimeOffset now) => Raise(new SuppressionRemoved(Email, now));

    private static int Rank(SuppressionReason reason) => reason switch
    {
        SuppressionReason.Complaint => 3,
        SuppressionReason.HardBounce => 2,
        SuppressionReason.SoftBounce => 1,
        _ => 0,
    };

    private static string? Trim(string? detail) =>
        detail is null ? null : detail.Length > DetailMaxLength ? detail[..DetailMaxLength] : detail;
}
