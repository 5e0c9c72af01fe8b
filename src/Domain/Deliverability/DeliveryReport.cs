using Modular.Domain.Common;

namespace Modular.Domain.Deliverability;

public enum DeliveryReportKind
{
    /// <summary>An RFC 3464 delivery status notification with a failed (or delayed) recipient.</summary>
    Bounce,

    /// <summary>An RFC 5965 feedback report (abuse, spam complaint).</summary>
    Complaint,
}

/// <summary>
/// A report about one recipient of one outbound message, as it was applied: kept so repeated temporary
/// failures of an address can be counted (three within 7 days suppress it) and so what came in can be read later.
/// </summary>
public sealed class DeliveryReport : AggregateRoot, ITenantOwned
{
    public const int DiagnosticMaxLength = 1000;

    private DeliveryReport()
    {
        Address = string.Empty;
        NormalizedAddress = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public long MessageId { get; private set; }

    public long ChannelId { get; private set; }

    public DeliveryReportKind Kind { get; private set; }

    public string Address { get; private set; }

    public string NormalizedAddress { get; private set; }

    /// <summary>The RFC 3463 status (<c>5.1.1</c>) of a bounce; the feedback type (<c>abuse</c>) of a complaint.</summary>
    public string? Status { get; private set; }

    public string? Diagnostic { get; private set; }

    /// <summary>A permanent failure (5.x.x); false for a temporary one and for complaints.</summary>
    public bool Permanent { get; private set; }

    public DateTimeOffset ReceivedAt { get; private set; }

    public static DeliveryReport Create(
        long organizationId, long messageId, long channelId, DeliveryReportKind kind, EmailAddress address,
        string? status, string? diagnostic, bool permanent, DateTimeOffset now) => new()
        {
            OrganizationId = organizationId,
            MessageId = messageId,
            ChannelId = channelId,
            Kind = kind,
            Address = address.Value,
            NormalizedAddress = address.Normalized,
            Status = status is { Length: > 32 } ? status[..32] : status,
            Diagnostic = diagnostic is { Length: > DiagnosticMaxLength } ? diagnostic[..DiagnosticMaxLength] : diagnostic,
            Permanent = permanent,
            ReceivedAt = now,
        };
}
