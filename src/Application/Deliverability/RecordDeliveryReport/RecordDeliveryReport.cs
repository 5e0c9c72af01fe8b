using Mediator;
using Microsoft.Extensions.Logging;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Application.Deliverability.Ports;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Deliverability;
using Modular.Domain.Messaging;

namespace Modular.Application.Deliverability.RecordDeliveryReport;

/// <summary>
/// An inbound email on a channel that may be a delivery report: an RFC 3464 bounce or an RFC 5965
/// complaint. Runs in the scope of the channel's organization; <paramref name="EnvelopeRecipient"/> is
/// the address it was delivered to, when known (where a VERP return path shows).
/// </summary>
public sealed record RecordDeliveryReportCommand(long ChannelId, byte[] RawMime, string? EnvelopeRecipient = null) : ICommand<Result<DeliveryReportResponse>>;

/// <summary>
/// <c>applied</c> (the message and the addresses it changed), or <c>ignored</c> with why: not a report,
/// truncated, or naming no message of this organization. An ignored report changes nothing.
/// </summary>
public sealed record DeliveryReportResponse(string Outcome, string? Kind, long? MessageId, IReadOnlyList<string> Addresses, string? Reason)
{
    public static DeliveryReportResponse Ignored(string reason) => new("ignored", null, null, [], reason);
}

/// <summary>All messages with any of these Message-ID headers (of this organization: the tenant filter applies).</summary>
public sealed class MessagesByHeaderSpec : Specification<Message>
{
    public MessagesByHeaderSpec(IReadOnlyCollection<string> messageIds) => Query.Where(m => messageIds.Contains(m.MessageIdHeader));
}

/// <summary>Temporary failures reported for an address since a moment.</summary>
public sealed class TemporaryFailuresSinceSpec : Specification<DeliveryReport>
{
    public TemporaryFailuresSinceSpec(string normalizedAddress, DateTimeOffset since) =>
        Query.Where(r => r.NormalizedAddress == normalizedAddress && r.Kind == DeliveryReportKind.Bounce && !r.Permanent && r.ReceivedAt >= since);
}

public sealed partial class RecordDeliveryReportHandler(
    IDeliveryReportParser parser,
    IRepository<Message> messages,
    IRepository<Contact> contacts,
    IRepository<DeliveryReport> reports,
    Suppressor suppressor,
    MailTokens tokens,
    ICurrentTenant tenant,
    TimeProvider clock,
    ILogger<RecordDeliveryReportHandler> logger) : ICommandHandler<RecordDeliveryReportCommand, Result<DeliveryReportResponse>>
{
    /// <summary>Three temporary failures of an address within this window suppress it.</summary>
    public static readonly TimeSpan SoftBounceWindow = TimeSpan.FromDays(7);

    public const int SoftBouncesToSuppress = 3;

    public async ValueTask<Result<DeliveryReportResponse>> Handle(RecordDeliveryReportCommand command, CancellationToken cancellationToken)
    {
        var (report, reason) = parser.Parse(command.RawMime);
        if (report is null)
        {
            LogIgnored(logger, command.ChannelId, reason ?? "not a report");
            return DeliveryReportResponse.Ignored(reason ?? "The email is not a delivery report.");
        }

        var message = await FindMessageAsync(report, command.EnvelopeRecipient, cancellationToken);
        if (message is null)
        {
            LogIgnored(logger, command.ChannelId, "it names no outbound message of this organization");
            return DeliveryReportResponse.Ignored("The report names no outbound message of this organization.");
        }

        var now = clock.GetUtcNow();
        var applied = report.Kind == DeliveryReportKind.Bounce
            ? await ApplyBounceAsync(message, report, now, cancellationToken)
            : await ApplyComplaintAsync(message, report, now, cancellationToken);
        if (applied.Count == 0)
        {
            LogIgnored(logger, command.ChannelId, $"none of its recipients is a failed recipient of message {message.Id}");
            return DeliveryReportResponse.Ignored("The report names no failed recipient of the message.");
        }

        LogApplied(logger, report.Kind, message.Id, applied.Count);
        return new DeliveryReportResponse("applied", report.Kind == DeliveryReportKind.Bounce ? "bounce" : "complaint", message.Id, applied, null);
    }

    /// <summary>By the VERP token when the report went to one (of this organization only), else by the Message-IDs it names.</summary>
    private async Task<Message?> FindMessageAsync(ParsedDeliveryReport report, string? envelopeRecipient, CancellationToken cancellationToken)
    {
        foreach (var address in report.ReportAddresses.Prepend(envelopeRecipient))
        {
            if (tokens.ReadBounce(TokenAddresses.BounceTokenOf(address)) is { } token && token.OrganizationId == tenant.OrganizationId)
            {
                var byToken = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(token.MessageId), cancellationToken);
                if (byToken is { Direction: MessageDirection.Outbound })
                {
                    return byToken;
                }
            }
        }

        var ids = report.OriginalMessageIds.Where(id => id.Length is > 0 and <= 255).Distinct().ToList();
        if (ids.Count == 0)
        {
            return null;
        }

        var found = await messages.ListAsync(new MessagesByHeaderSpec(ids), cancellationToken);
        return found.FirstOrDefault(m => m.Direction == MessageDirection.Outbound);
    }

    private async Task<List<string>> ApplyBounceAsync(Message message, ParsedDeliveryReport report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var applied = new List<string>();
        foreach (var reported in report.Recipients.Where(r => r.Action is "failed" or "delayed"))
        {
            var recipient = RecipientOf(message, reported.Address) ?? RecipientOf(message, reported.OriginalAddress);
            if (recipient is null || !EmailAddress.TryParse(recipient.Address, out var address, out _))
            {
                continue;
            }

            var permanent = reported.Status.StartsWith('5');
            if (reported.Action == "failed" && message.RecordBounce(recipient.Address, reported.Status, reported.Diagnostic, now).IsFailure)
            {
                continue;
            }

            await reports.AddAsync(DeliveryReport.Create(
                tenant.OrganizationId, message.Id, message.ChannelId, DeliveryReportKind.Bounce, address, reported.Status, reported.Diagnostic, permanent, now), cancellationToken);
            var detail = $"{reported.Status} {reported.Diagnostic}".Trim();
            if (permanent)
            {
                await suppressor.SuppressAsync(address, SuppressionReason.HardBounce, detail, message.Id, now, cancellationToken);
            }
            else if (await reports.CountAsync(new TemporaryFailuresSinceSpec(address.Normalized, now - SoftBounceWindow), cancellationToken) + 1 >= SoftBouncesToSuppress)
            {
                await suppressor.SuppressAsync(address, SuppressionReason.SoftBounce, detail, message.Id, now, cancellationToken);
            }

            applied.Add(recipient.Address);
        }

        return applied;
    }

    /// <summary>
    /// The complained-about address is the one the report names, else (feedback reports often redact it)
    /// the message's only To recipient. It is opted out of the message's channel and suppressed.
    /// </summary>
    private async Task<List<string>> ApplyComplaintAsync(Message message, ParsedDeliveryReport report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var named = report.ComplainedAddresses.Select(a => RecipientOf(message, a)).OfType<Recipient>().DistinctBy(r => r.Address.ToLowerInvariant()).ToList();
        if (named.Count == 0 && message.Recipients.Count(r => r.Kind == RecipientKind.To) == 1)
        {
            named.Add(message.Recipients.Single(r => r.Kind == RecipientKind.To));
        }

        var applied = new List<string>();
        foreach (var recipient in named)
        {
            if (!EmailAddress.TryParse(recipient.Address, out var address, out _))
            {
                continue;
            }

            message.RecordComplaint(recipient.Address, report.FeedbackType, now);
            await reports.AddAsync(DeliveryReport.Create(
                tenant.OrganizationId, message.Id, message.ChannelId, DeliveryReportKind.Complaint, address, report.FeedbackType, null, false, now), cancellationToken);
            var contact = await contacts.FirstOrDefaultAsync(new ContactByAddressSpec(address.Normalized), cancellationToken);
            contact?.OptOut(message.ChannelId, now, ConsentSource.Complaint, message.Id);
            await suppressor.SuppressAsync(address, SuppressionReason.Complaint, report.FeedbackType, message.Id, now, cancellationToken);
            applied.Add(recipient.Address);
        }

        return applied;
    }

    private static Recipient? RecipientOf(Message message, string? address) =>
        address is null ? null : message.Recipients.FirstOrDefault(r => string.Equals(r.Address, address.Trim(), StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "A delivery report on channel {ChannelId} was ignored: {Reason}")]
    private static partial void LogIgnored(ILogger logger, long channelId, string reason);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "A {Kind} report for message {MessageId} was applied to {Count} recipient(s)")]
    private static partial void LogApplied(ILogger logger, DeliveryReportKind kind, long messageId, int count);

    private sealed class ContactByAddressSpec : Specification<Contact>
    {
        public ContactByAddressSpec(string normalized) => Query.Where(c => c.NormalizedEmail == normalized);
    }
}
