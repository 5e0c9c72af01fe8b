using Modular.Domain.Common;

namespace Modular.Domain.Messaging;

/// <summary>
/// Where a message is in its delivery. Moves only forward:
/// scheduled → queued → sending → sent, or failed, uncertain, canceled (from scheduled) and blocked (never queued).
/// </summary>
public enum DeliveryStatus
{
    Scheduled,
    Queued,
    Sending,
    Sent,
    Failed,
    Uncertain,
    Canceled,
    Blocked,
}

public enum MessageDirection
{
    Outbound,
    Inbound,
}

public enum RecipientKind
{
    To,
    Cc,
    Bcc,
}

public sealed record Recipient(RecipientKind Kind, string Address, string? Name = null);

/// <summary>A recipient left out of a send, and why (for example <c>opted_out</c>).</summary>
public sealed record ComplianceResult(string Address, string Reason)
{
    public const string OptedOut = "opted_out";
}

/// <summary>The part of a delivery attempt that was reached (or failed).</summary>
public enum DeliveryPhase
{
    Attachments,
    Connect,
    Authenticate,
    Envelope,
    Data,
    Completed,
}

public enum AttemptOutcome
{
    Sent,
    Transient,
    Permanent,
    Uncertain,
}

/// <summary>One try at handing a message to an SMTP server.</summary>
public sealed record DeliveryAttempt(
    int Number,
    DateTimeOffset At,
    AttemptOutcome Outcome,
    DeliveryPhase Phase,
    int? ReplyCode,
    string? ReplyText);

/// <summary>Everything a new outbound message is made of; built by a send use case.</summary>
public sealed record OutboundDraft
{
    public required long OrganizationId { get; init; }
    public required long ConversationId { get; init; }
    public required long ChannelId { get; init; }
    public long? CreatorUserId { get; init; }
    public required Mailbox From { get; init; }
    /// <summary>The channel's address when <see cref="From"/> is a custom sender; else null.</summary>
    public EmailAddress? Sender { get; init; }
    public Mailbox? ReplyTo { get; init; }
    public required IReadOnlyList<Recipient> Recipients { get; init; }
    public required string Subject { get; init; }
    public string? TextBody { get; init; }
    public string? HtmlBody { get; init; }
    public IReadOnlyList<string> AttachmentUrls { get; init; } = [];
    public required string MessageIdHeader { get; init; }
    public string? InReplyTo { get; init; }
    public IReadOnlyList<string> References { get; init; } = [];
    public DateTimeOffset? ScheduleAt { get; init; }
    public IReadOnlyList<ComplianceResult> ComplianceResults { get; init; } = [];
}

/// <summary>
/// Raised when a message becomes due for delivery (queued now, scheduled, rescheduled, retried).
/// <see cref="ReplacesSchedule"/> says a job may still wait for the message's earlier due time.
/// </summary>
public sealed record MessageDeliveryDue(Message Message, bool ReplacesSchedule = false) : IDomainEvent;

/// <summary>Raised when a scheduled message is canceled.</summary>
public sealed record MessageCanceled(Message Message) : IDomainEvent;

/// <summary>One email, outbound or inbound, in exactly one conversation, with its delivery status.</summary>
public sealed class Message : AggregateRoot, ITenantOwned
{
    public const int SubjectMaxLength = 998;
    public const int MaxAttachments = 10;

    private List<Recipient> _recipients = [];
    private List<string> _attachmentUrls = [];
    private List<string> _references = [];
    private readonly List<DeliveryAttempt> _attempts = [];
    private List<ComplianceResult> _complianceResults = [];

    private Message()
    {
        FromAddress = string.Empty;
        Subject = string.Empty;
        MessageIdHeader = string.Empty;
    }

    public long OrganizationId { get; private set; }
    public long ConversationId { get; private set; }
    public long ChannelId { get; private set; }
    public long? CreatorUserId { get; private set; }
    public MessageDirection Direction { get; private set; }
    public DeliveryStatus Status { get; private set; }

    public string FromAddress { get; private set; }
    public string? FromName { get; private set; }
    /// <summary>The channel's address when the message is sent on behalf of a custom <c>From</c>.</summary>
    public string? SenderAddress { get; private set; }
    public string? ReplyToAddress { get; private set; }
    public string? ReplyToName { get; private set; }
    public IReadOnlyList<Recipient> Recipients => _recipients;

    public string Subject { get; private set; }
    public string? TextBody { get; private set; }
    public string? HtmlBody { get; private set; }
    public IReadOnlyList<string> AttachmentUrls => _attachmentUrls;

    /// <summary>The Message-ID header, without angle brackets.</summary>
    public string MessageIdHeader { get; private set; }
    public string? InReplyTo { get; private set; }
    public IReadOnlyList<string> References => _references;

    public DateTimeOffset? ScheduleAt { get; private set; }
    /// <summary>When delivery should next be tried; the outbox sweeper reads it.</summary>
    public DateTimeOffset DueAt { get; private set; }
    public DateTimeOffset? SendingSince { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<DeliveryAttempt> Attempts => _attempts;
    public IReadOnlyList<ComplianceResult> ComplianceResults => _complianceResults;

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public IEnumerable<Recipient> EnvelopeRecipients => _recipients;

    /// <summary>
    /// Accepts an outbound email: <c>blocked</c> when no To recipient is left after compliance,
    /// <c>scheduled</c> when <see cref="OutboundDraft.ScheduleAt"/> is ahead, else <c>queued</c>.
    /// </summary>
    public static Result<Message> CreateOutbound(OutboundDraft draft, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(draft.Subject) || draft.Subject.Length > SubjectMaxLength)
        {
            return Common.Error.Validation("subject", $"A subject has at most {SubjectMaxLength} characters and no line break.");
        }

        if (string.IsNullOrEmpty(draft.TextBody) && string.IsNullOrEmpty(draft.HtmlBody) && draft.AttachmentUrls.Count == 0)
        {
            return Common.Error.Validation("body", "A body or at least one attachment is required.");
        }

        if (draft.AttachmentUrls.Count > MaxAttachments)
        {
            return Common.Error.Validation("attachments", $"At most {MaxAttachments} attachments are allowed.");
        }

        if (!draft.Recipients.Any(r => r.Kind == RecipientKind.To) && draft.ComplianceResults.Count == 0)
        {
            return Common.Error.Validation("to", "At least one recipient is required.");
        }

        if (HeaderText.HasLineBreak(draft.From.Name) || HeaderText.HasLineBreak(draft.ReplyTo?.Name))
        {
            return Common.Error.Validation(HeaderText.HasLineBreak(draft.From.Name) ? "sender_name" : "reply_to", "A display name cannot contain a line break.");
        }

        foreach (var recipient in draft.Recipients)
        {
            if (!EmailAddress.TryParse(recipient.Address, out _, out var reason) || HeaderText.HasLineBreak(recipient.Name))
            {
                var field = recipient.Kind.ToString().ToLowerInvariant();
                return Common.Error.Validation(field, reason.Length > 0 ? reason : "A display name cannot contain a line break.");
            }
        }

        var message = new Message
        {
            OrganizationId = draft.OrganizationId,
            ConversationId = draft.ConversationId,
            ChannelId = draft.ChannelId,
            CreatorUserId = draft.CreatorUserId,
            Direction = MessageDirection.Outbound,
            FromAddress = draft.From.Address.Value,
            FromName = draft.From.Name,
            SenderAddress = draft.Sender?.Value,
            ReplyToAddress = draft.ReplyTo?.Address.Value,
            ReplyToName = draft.ReplyTo?.Name,
            _recipients = [.. draft.Recipients],
            Subject = draft.Subject,
            TextBody = draft.TextBody,
            HtmlBody = draft.HtmlBody,
            _attachmentUrls = [.. draft.AttachmentUrls],
            MessageIdHeader = draft.MessageIdHeader,
            InReplyTo = draft.InReplyTo,
            _references = [.. draft.References],
            ScheduleAt = draft.ScheduleAt,
            _complianceResults = [.. draft.ComplianceResults],
            CreatedAt = now,
            UpdatedAt = now,
        };

        if (!message._recipients.Any(r => r.Kind == RecipientKind.To))
        {
            message.Status = DeliveryStatus.Blocked;
            message.DueAt = now;
            message.Error = "No recipient may be sent to: " + string.Join(", ", draft.ComplianceResults.Select(c => $"{c.Address} ({c.Reason})"));
            return message;
        }

        message.Status = draft.ScheduleAt > now ? DeliveryStatus.Scheduled : DeliveryStatus.Queued;
        message.DueAt = draft.ScheduleAt > now ? draft.ScheduleAt.Value : now;
        message.Raise(new MessageDeliveryDue(message));
        return message;
    }

    /// <summary>True when a delivery job may claim the message now.</summary>
    public bool IsDue(DateTimeOffset now) =>
        Status is DeliveryStatus.Queued or DeliveryStatus.Scheduled && DueAt <= now;

    /// <summary>Claims the message for one delivery attempt.</summary>
    public Result MarkSending(DateTimeOffset now)
    {
        if (Status is not (DeliveryStatus.Queued or DeliveryStatus.Scheduled))
        {
            return Conflict("sending");
        }

        if (DueAt > now)
        {
            return Common.Error.Conflict("message.not_due", $"Message {Id} is not due before {DueAt:O}.");
        }

        Status = DeliveryStatus.Sending;
        SendingSince = now;
        UpdatedAt = now;
        return Result.Success();
    }

    public Result MarkSent(DeliveryAttempt attempt, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("sent");
        }

        _attempts.Add(attempt);
        Status = DeliveryStatus.Sent;
        SentAt = now;
        SendingSince = null;
        Error = null;
        UpdatedAt = now;
        return Result.Success();
    }

    /// <summary>
    /// A failure before the server had the whole message: queued again for <paramref name="retryAt"/>,
    /// or failed when no retry is left (<paramref name="retryAt"/> is null).
    /// </summary>
    public Result MarkTransientFailure(DeliveryAttempt attempt, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict(retryAt is null ? "failed" : "queued");
        }

        _attempts.Add(attempt);
        Error = Describe(attempt);
        SendingSince = null;
        UpdatedAt = now;
        if (retryAt is null)
        {
            Status = DeliveryStatus.Failed;
            return Result.Success();
        }

        Status = DeliveryStatus.Queued;
        DueAt = retryAt.Value;
        Raise(new MessageDeliveryDue(this));
        return Result.Success();
    }

    /// <summary>The server refused the message for good (a 5xx reply): failed at once.</summary>
    public Result MarkFailed(DeliveryAttempt attempt, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("failed");
        }

        _attempts.Add(attempt);
        Status = DeliveryStatus.Failed;
        Error = Describe(attempt);
        SendingSince = null;
        UpdatedAt = now;
        return Result.Success();
    }

    /// <summary>
    /// The connection broke after the whole message was handed over: the server may have accepted it.
    /// Never retried on its own.
    /// </summary>
    public Result MarkUncertain(DeliveryAttempt attempt, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("uncertain");
        }

        _attempts.Add(attempt);
        Status = DeliveryStatus.Uncertain;
        Error = Describe(attempt);
        SendingSince = null;
        UpdatedAt = now;
        return Result.Success();
    }

    /// <summary>
    /// A claim whose worker vanished (the process died mid-delivery): whether the server got the
    /// message is unknown, so it becomes uncertain rather than risking a duplicate.
    /// </summary>
    public Result MarkInterrupted(DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("uncertain");
        }

        Status = DeliveryStatus.Uncertain;
        Error = "Delivery was interrupted; the server may or may not have accepted the message.";
        SendingSince = null;
        UpdatedAt = now;
        return Result.Success();
    }

    public Result Cancel(DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Scheduled)
        {
            return Common.Error.Conflict("message.not_scheduled", $"Message {Id} is {Format(Status)}; only a scheduled message can be canceled.");
        }

        Status = DeliveryStatus.Canceled;
        UpdatedAt = now;
        Raise(new MessageCanceled(this));
        return Result.Success();
    }

    /// <summary>Moves a scheduled message to <paramref name="at"/>; a time not ahead queues it at once.</summary>
    public Result Reschedule(DateTimeOffset at, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Scheduled)
        {
            return Common.Error.Conflict("message.not_scheduled", $"Message {Id} is {Format(Status)}; only a scheduled message can be rescheduled.");
        }

        ScheduleAt = at;
        DueAt = at > now ? at : now;
        Status = at > now ? DeliveryStatus.Scheduled : DeliveryStatus.Queued;
        UpdatedAt = now;
        Raise(new MessageDeliveryDue(this, ReplacesSchedule: true));
        return Result.Success();
    }

    /// <summary>An operator sends an uncertain or failed message again.</summary>
    public Result Retry(DateTimeOffset now)
    {
        if (Status is not (DeliveryStatus.Uncertain or DeliveryStatus.Failed))
        {
            return Common.Error.Conflict("message.not_retryable", $"Message {Id} is {Format(Status)}; only an uncertain or failed message can be retried.");
        }

        Status = DeliveryStatus.Queued;
        DueAt = now;
        Error = null;
        UpdatedAt = now;
        Raise(new MessageDeliveryDue(this));
        return Result.Success();
    }

    public static string Format(DeliveryStatus status) => status.ToString().ToLowerInvariant();

    private Error Conflict(string target) =>
        Common.Error.Conflict("message.invalid_transition", $"Message {Id} cannot become {target} while it is {Format(Status)}.");

    private static string Describe(DeliveryAttempt attempt) =>
        attempt.ReplyCode is { } code
            ? $"{attempt.Phase}: {code} {attempt.ReplyText}".Trim()
            : $"{attempt.Phase}: {attempt.ReplyText}".Trim();
}
