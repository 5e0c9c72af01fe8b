using System.Text.RegularExpressions;
using MimeKit;
using Modular.Application.Deliverability.Ports;
using Modular.Domain.Deliverability;

namespace Modular.Infrastructure.Deliverability;

/// <summary>
/// Reads <c>multipart/report</c> emails with MimeKit: <c>report-type=delivery-status</c> (RFC 3464, the
/// per-recipient groups of <see cref="MessageDeliveryStatus"/>) and <c>report-type=feedback-report</c>
/// (RFC 5965, <see cref="MessageFeedbackReport"/>). The original message is found by the Message-ID of the
/// returned message or headers (<c>message/rfc822</c>, <c>text/rfc822-headers</c>), the report's own
/// <c>In-Reply-To</c>/<c>References</c> and the fields some servers add (<c>X-Original-Message-ID</c>). A
/// report without its machine-readable part (truncated, or an email of another kind) is not a report.
/// </summary>
internal sealed partial class MimeKitDeliveryReportParser : IDeliveryReportParser
{
    private static readonly string[] AddressedTo = ["To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"];

    public (ParsedDeliveryReport? Report, string? Reason) Parse(byte[] raw)
    {
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            message = MimeMessage.Load(stream);
        }
        catch (FormatException exception)
        {
            return (null, $"The email could not be read: {exception.Message}");
        }

        if (Find<MultipartReport>(message.Body) is not { } report)
        {
            return (null, "The email is not a multipart/report.");
        }

        var addresses = AddressedTo.SelectMany(name => message.Headers.Where(h => h.Field.Equals(name, StringComparison.OrdinalIgnoreCase)))
            .SelectMany(h => AddressesIn(h.Value)).ToList();
        var ids = OriginalMessageIds(message, report);
        if (Find<MessageDeliveryStatus>(report) is { StatusGroups.Count: > 0 } perMessage
            && perMessage.StatusGroups[0]["X-Original-Message-ID"] is { } original)
        {
            // Gmail names the original in the per-message fields of its notifications.
            ids.AddRange(MessageIds().Matches(original).Select(m => m.Groups[1].Value).Where(id => !ids.Contains(id)));
        }

        switch (report.ReportType?.ToLowerInvariant())
        {
            case "delivery-status":
            case "global-delivery-status":
            {
                if (Find<MessageDeliveryStatus>(report) is not { } status)
                {
                    return (null, "The delivery status notification has no delivery-status part (truncated?).");
                }

                var recipients = status.StatusGroups.Skip(1).Select(Recipient).OfType<ReportedRecipient>().ToList();
                return recipients.Count == 0
                    ? (null, "The delivery status notification names no recipient with a status (truncated?).")
                    : (new ParsedDeliveryReport(DeliveryReportKind.Bounce, ids, addresses, recipients, [], null), null);
            }

            case "feedback-report":
            {
                if (Find<MessageFeedbackReport>(report) is not { } feedback)
                {
                    return (null, "The feedback report has no feedback-report part (truncated?).");
                }

                var complained = feedback.Fields.Where(f => f.Field.Equals("Original-Rcpt-To", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(f => AddressesIn(f.Value))
                    .Concat(Returned(report)?.To.Mailboxes.Select(m => m.Address) ?? [])
                    .Where(a => a.Contains('@', StringComparison.Ordinal))
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                var type = feedback.Fields["Feedback-Type"]?.Trim().ToLowerInvariant();
                return (new ParsedDeliveryReport(DeliveryReportKind.Complaint, ids, addresses, [], complained, string.IsNullOrEmpty(type) ? "abuse" : type), null);
            }

            default:
                return (null, $"The report's type '{report.ReportType}' is neither delivery-status nor feedback-report.");
        }
    }

    private static ReportedRecipient? Recipient(HeaderList group)
    {
        var final = TypedValue(group["Final-Recipient"]);
        var status = group["Status"]?.Trim();
        var action = group["Action"]?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(final) || status is null || action is null)
        {
            return null;
        }

        var code = StatusCode().Match(status);
        if (!code.Success)
        {
            return null;
        }

        var diagnostic = TypedValue(group["Diagnostic-Code"]);
        return new ReportedRecipient(final, TypedValue(group["Original-Recipient"]), action, code.Value,
            diagnostic is null ? null : Whitespace().Replace(diagnostic, " "));
    }

    /// <summary>The value after the type of an RFC 3464 typed field (<c>rfc822; ann@example.com</c>), without angle brackets.</summary>
    private static string? TypedValue(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }

        var semicolon = field.IndexOf(';', StringComparison.Ordinal);
        var value = (semicolon < 0 ? field : field[(semicolon + 1)..]).Trim().Trim('<', '>').Trim();
        return value.Length == 0 ? null : value;
    }

    private static List<string> OriginalMessageIds(MimeMessage message, MultipartReport report)
    {
        var ids = new List<string>();
        if (Returned(report) is { } returned && !string.IsNullOrEmpty(returned.MessageId))
        {
            ids.Add(returned.MessageId);
        }

        foreach (var name in new[] { "X-Original-Message-ID", "Original-Message-ID" })
        {
            if (message.Headers[name] is { } value)
            {
                ids.AddRange(MessageIds().Matches(value).Select(m => m.Groups[1].Value));
            }
        }

        if (!string.IsNullOrEmpty(message.InReplyTo))
        {
            ids.Add(message.InReplyTo);
        }

        ids.AddRange(message.References);

        // Some servers return the headers as text/plain: take a Message-ID line from the parts after the first.
        foreach (var part in report.Skip(1).OfType<TextPart>())
        {
            var line = MessageIdLine().Match(part.Text ?? string.Empty);
            if (line.Success)
            {
                ids.Add(line.Groups[1].Value);
            }
        }

        return [.. ids.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The returned original (the message or its headers), when the report carries it.</summary>
    private static MimeMessage? Returned(MultipartReport report) =>
        report.Skip(1).OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null);

    private static IEnumerable<string> AddressesIn(string value) =>
        InternetAddressList.TryParse(value, out var list)
            ? list.Mailboxes.Select(m => m.Address)
            : TypedValue(value) is { } typed ? [typed] : [];

    private static T? Find<T>(MimeEntity? entity)
        where T : MimeEntity
    {
        switch (entity)
        {
            case T found:
                return found;
            case Multipart multipart:
                foreach (var child in multipart)
                {
                    if (Find<T>(child) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    [GeneratedRegex(@"^[245]\.\d{1,3}\.\d{1,3}", RegexOptions.CultureInvariant)]
    private static partial Regex StatusCode();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"<([^<>\s]+@[^<>\s]+)>", RegexOptions.CultureInvariant)]
    private static partial Regex MessageIds();

    [GeneratedRegex(@"^Message-ID:\s*<([^<>\s]+)>", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex MessageIdLine();
}
