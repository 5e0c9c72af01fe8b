using Modular.Domain.Deliverability;

namespace Modular.Application.Deliverability.Ports;

/// <summary>One recipient of a delivery status notification (RFC 3464 per-recipient fields).</summary>
/// <param name="Address">The <c>Final-Recipient</c> address (without its <c>rfc822;</c> type).</param>
/// <param name="OriginalAddress">The <c>Original-Recipient</c> address, when given.</param>
/// <param name="Action"><c>failed</c>, <c>delayed</c>, <c>delivered</c>, <c>relayed</c> or <c>expanded</c>.</param>
/// <param name="Status">The RFC 3463 status, such as <c>5.1.1</c>.</param>
/// <param name="Diagnostic">The <c>Diagnostic-Code</c> text (without its <c>smtp;</c> type), when given.</param>
public sealed record ReportedRecipient(string Address, string? OriginalAddress, string Action, string Status, string? Diagnostic);

/// <summary>
/// What a delivery status notification or a feedback report says, as far as it can be read: the
/// Message-IDs of the original message it names (in the returned headers or its own fields), the
/// addresses the report was sent to (where a VERP return path shows), and per kind the recipients
/// (bounce) or the complained-about addresses and feedback type (complaint).
/// </summary>
public sealed record ParsedDeliveryReport(
    DeliveryReportKind Kind,
    IReadOnlyList<string> OriginalMessageIds,
    IReadOnlyList<string> ReportAddresses,
    IReadOnlyList<ReportedRecipient> Recipients,
    IReadOnlyList<string> ComplainedAddresses,
    string? FeedbackType);

/// <summary>Reads raw MIME as a delivery report (<c>multipart/report</c>).</summary>
public interface IDeliveryReportParser
{
    /// <summary>The report, or null with the reason when the bytes are not a usable report (another kind of email, truncated, unreadable).</summary>
    (ParsedDeliveryReport? Report, string? Reason) Parse(byte[] raw);
}
