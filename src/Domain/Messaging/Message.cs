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

/// <summary>Where one recipient of a message stands: waiting, sent to, refused by the server, or left out.</summary>
public enum RecipientStatus
{
    /// <summary>Not attempted yet (or to be attempted again after a transient failure).</summary>
    Pending,

    /// <summary>The server accepted the recipient and the message.</summary>
    Sent,

    /// <summary>The server refused the recipient for good (a 5xx to <c>RCPT TO</c>).</summary>
    Refused,

    /// <summary>The server deferred the recipient (a 4xx to <c>RCPT TO</c>) while it took the others; not tried again.</summary>
    Deferred,

    /// <summary>Left out of the envelope and the headers when sending (opted out since the send was accepted).</summary>
    Excluded,
}

/// <summary>One recipient of a message, with what became of it.</summary>
public sealed record Recipient(RecipientKind Kind, string Address, string? Name = null)
{
    public RecipientStatus Status { get; init; }

    /// <summary>The server's reply to <c>RCPT TO</c> of the latest attempt, when it got that far.</summary>
    public SmtpReply? Reply { get; init; }

    /// <summary>Why the recipient was left out (<see cref="RecipientStatus.Excluded"/>), for example <c>opted_out</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>Goes into the envelope (and the headers, unless Bcc) of the next attempt.</summary>
    public bool IsInEnvelope => Status is RecipientStatus.Pending;
}

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

/// <summary>One try at handing a message to an SMTP server, with the reply that decided it (if any came).</summary>
public sealed record DeliveryAttempt(
    int Number,
    DateTimeOffset At,
    AttemptOutcome Outcome,
    DeliveryPhase Phase,
    int? ReplyCode,
    string? ReplyText,
    string? EnhancedStatus = null,
    string? QueueId = null)
{
    /// <summary>An attempt decided by <paramref name="reply"/> or, when no reply came, described by <paramref name="detail"/>.</summary>
    public static DeliveryAttempt Of(int number, DateTimeOffset at, AttemptOutcome outcome, DeliveryPhase phase, SmtpReply? reply, string? detail) =>
        new(number, at, outcome, phase, reply?.Code, reply?.Text ?? detail, reply?.EnhancedStatus, reply?.QueueId);
}

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

/// <summary>Raised when a message becomes due for delivery (queued now, scheduled, rescheduled, retried, recovered).</summary>
public sealed record MessageDeliveryDue(Message Message) : IDomainEvent;

/// <summary>
/// Raised when a message reaches a status customers hear about (webhooks). It carries the message, so
/// whoever records it reads the message as it is saved (a blocked message gets its id when it is added).
/// </summary>
public abstract record MessageStatusReached(Message Message, DateTimeOffset At) : IDomainEvent;

/// <summary>The server took the message (for the recipients it accepted).</summary>
public sealed record MessageSent(Message Message, DateTimeOffset At) : MessageStatusReached(Message, At);

/// <summary>The message failed for good: a permanent refusal, or no retry left.</summary>
public sealed record MessageFailed(Message Message, DateTimeOffset At) : MessageStatusReached(Message, At);

/// <summary>The connection broke after the handover: the server may or may not have the message.</summary>
public sealed record MessageUncertain(Message Message, DateTimeOffset At) : MessageStatusReached(Message, At);

/// <summary>No recipient may be sent to (at acceptance, or at send time).</summary>
public sealed record MessageBlocked(Message Message, DateTimeOffset At) : MessageStatusReached(Message, At);

/// <summary>A scheduled message was canceled.</summary>
public sealed record MessageCanceled(Message Message, DateTimeOffset At) : MessageStatusReached(Message, At);


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

    /// <summary>
    /// When the current claim's SMTP transaction was about to start: from then on the server may get the
    /// message, so a claim abandoned after this point is uncertain, and one abandoned before it is safe
    /// to send again. Set by the claim port just before the transaction; cleared by every outcome.
    /// </summary>
    public DateTimeOffset? HandoverAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<DeliveryAttempt> Attempts => _attempts;
    public IReadOnlyList<ComplianceResult> ComplianceResults => _complianceResults;

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The statuses a delivery may claim a message in, once it is due; the claim statement and its index use them.</summary>
    public static IReadOnlyList<DeliveryStatus> ClaimableStatuses { get; } = [DeliveryStatus.Queued, DeliveryStatus.Scheduled];

    /// <summary>The recipients the next attempt goes to.</summary>
    public IEnumerable<Recipient> EnvelopeRecipients => _recipients.Where(r => r.IsInEnvelope);

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
            message.Raise(new MessageBlocked(message, now));
            return message;
        }

        message.Status = draft.ScheduleAt > now ? DeliveryStatus.Scheduled : DeliveryStatus.Queued;
        message.DueAt = draft.ScheduleAt > now ? draft.ScheduleAt.Value : now;
        message.Raise(new MessageDeliveryDue(message));
        return message;
    }

    /// <summary>True when a delivery may claim the message now: claimable, and its due time has come.</summary>
    public bool IsDue(DateTimeOffset now) => ClaimableStatuses.Contains(Status) && DueAt <= now;

    /// <summary>
    /// The move a claim makes: a due, claimable message becomes <c>sending</c>. Deliveries claim many
    /// messages at once with one statement of the claim port, over <see cref="ClaimableStatuses"/> and the
    /// due rule of <see cref="IsDue"/>; this is the same rule for one message in memory.
    /// </summary>
    public Result MarkSending(DateTimeOffset now)
    {
        if (!ClaimableStatuses.Contains(Status))
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

    /// <summary>
    /// The handover point of a claimed message: its SMTP transaction is about to start, so from now on the
    /// server may get it. A claim abandoned after this becomes uncertain (see <see cref="RecoverAbandonedClaim"/>).
    /// </summary>
    public Result MarkHandover(DateTimeOffset at)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("handed over");
        }

        HandoverAt = at;
        return Result.Success();
    }

    /// <summary>
    /// Leaves recipients out of a claimed message before it is sent (they opted out since the send was
    /// accepted): out of the envelope and the headers, listed in the compliance results. When no To
    /// recipient is left, the message ends <c>blocked</c>, as it would have been at acceptance.
    /// </summary>
    public Result ExcludeRecipients(IReadOnlyCollection<ComplianceResult> exclusions, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("screened");
        }

        if (exclusions.Count == 0)
        {
            return Result.Success();
        }

        var reasons = exclusions.ToDictionary(e => e.Address, e => e.Reason, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _recipients.Count; i++)
        {
            if (_recipients[i].IsInEnvelope && reasons.TryGetValue(_recipients[i].Address, out var reason))
            {
                _recipients[i] = _recipients[i] with { Status = RecipientStatus.Excluded, Reason = reason };
                _complianceResults.Add(new ComplianceResult(_recipients[i].Address, reason));
            }
        }

        UpdatedAt = now;
        if (!EnvelopeRecipients.Any(r => r.Kind == RecipientKind.To))
        {
            Status = DeliveryStatus.Blocked;
            SendingSince = null;
            HandoverAt = null;
            Error = "No recipient may be sent to any more: " + string.Join(", ", exclusions.Select(c => $"{c.Address} ({c.Reason})"));
            Raise(new MessageBlocked(this, now));
        }

        return Result.Success();
    }

    /// <summary>
    /// The server took the message for the recipients it accepted. Each recipient's reply is recorded:
    /// refused (5xx) and deferred (4xx) recipients are listed as such, the others are sent.
    /// </summary>
    public Result MarkSent(DeliveryAttempt attempt, IReadOnlyList<RecipientReply> replies, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("sent");
        }

        RecordReplies(replies, reply => reply.IsPositive ? RecipientStatus.Sent : reply.IsPermanent ? RecipientStatus.Refused : RecipientStatus.Deferred, RecipientStatus.Sent);
        _attempts.Add(attempt);
        Status = DeliveryStatus.Sent;
        SentAt = now;
        EndClaim(now);
        Error = null;
        Raise(new MessageSent(this, now));
        return Result.Success();
    }

    /// <summary>
    /// A failure before the server had the whole message: queued again for <paramref name="retryAt"/>,
    /// or failed when no retry is left (<paramref name="retryAt"/> is null).
    /// </summary>
    public Result MarkTransientFailure(DeliveryAttempt attempt, IReadOnlyList<RecipientReply> replies, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict(retryAt is null ? "failed" : "queued");
        }

        // Recipients the server refused for good stay refused; the others wait for the next attempt.
        RecordReplies(replies, reply => reply.IsPermanent ? RecipientStatus.Refused : RecipientStatus.Pending, RecipientStatus.Pending);
        _attempts.Add(attempt);
        Error = Describe(attempt);
        EndClaim(now);
        if (retryAt is null)
        {
            Status = DeliveryStatus.Failed;
            Raise(new MessageFailed(this, now));
            return Result.Success();
        }

        Status = DeliveryStatus.Queued;
        DueAt = retryAt.Value;
        Raise(new MessageDeliveryDue(this));
        return Result.Success();
    }

    /// <summary>The server refused the message (or every recipient) for good: failed at once.</summary>
    public Result MarkFailed(DeliveryAttempt attempt, IReadOnlyList<RecipientReply> replies, DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("failed");
        }

        RecordReplies(replies, reply => reply.IsPositive ? RecipientStatus.Pending : reply.IsPermanent ? RecipientStatus.Refused : RecipientStatus.Deferred, RecipientStatus.Pending);
        _attempts.Add(attempt);
        Status = DeliveryStatus.Failed;
        Error = Describe(attempt);
        EndClaim(now);
        Raise(new MessageFailed(this, now));
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
        EndClaim(now);
        Raise(new MessageUncertain(this, now));
        return Result.Success();
    }

    /// <summary>
    /// A claim whose process died. Before the handover point nothing can have reached the server, so the
    /// message is queued again at once; after it, whether the server got it is unknown, so it becomes
    /// uncertain rather than risking a duplicate.
    /// </summary>
    public Result RecoverAbandonedClaim(DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return Conflict("recovered");
        }

        if (HandoverAt is { } handover)
        {
            Status = DeliveryStatus.Uncertain;
            Error = $"Delivery was interrupted after its SMTP transaction started ({handover:O}); the server may or may not have accepted the message.";
            EndClaim(now);
            Raise(new MessageUncertain(this, now));
            return Result.Success();
        }

        Status = DeliveryStatus.Queued;
        DueAt = now;
        EndClaim(now);
        Raise(new MessageDeliveryDue(this));
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
        Raise(new MessageCanceled(this, now));
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
        Raise(new MessageDeliveryDue(this));
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
        // Everyone not sent to or left out is tried again.
        for (var i = 0; i < _recipients.Count; i++)
        {
            if (_recipients[i].Status is RecipientStatus.Refused or RecipientStatus.Deferred)
            {
                _recipients[i] = _recipients[i] with { Status = RecipientStatus.Pending };
            }
        }

        Raise(new MessageDeliveryDue(this));
        return Result.Success();
    }

    public static string Format(DeliveryStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Records each envelope recipient's reply; <paramref name="unanswered"/> for those that got none.</summary>
    private void RecordReplies(IReadOnlyList<RecipientReply> replies, Func<SmtpReply, RecipientStatus> statusOf, RecipientStatus unanswered)
    {
        var byAddress = replies.ToDictionary(r => r.Address, r => r.Reply, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _recipients.Count; i++)
        {
            var recipient = _recipients[i];
            if (!recipient.IsInEnvelope)
            {
                continue;
            }

            _recipients[i] = byAddress.TryGetValue(recipient.Address, out var reply)
                ? recipient with { Status = statusOf(reply), Reply = reply }
                : recipient with { Status = unanswered };
        }
    }

    private void EndClaim(DateTimeOffset now)
    {
        SendingSince = null;
        HandoverAt = null;
        UpdatedAt = now;
    }

    private Error Conflict(string target) =>
        Common.Error.Conflict("message.invalid_transition", $"Message {Id} cannot become {target} while it is {Format(Status)}.");

    private static string Describe(DeliveryAttempt attempt) =>
        attempt.ReplyCode is { } code
            ? $"{attempt.Phase}: {code} {attempt.ReplyText}".Trim()
            : $"{attempt.Phase}: {attempt.ReplyText}".Trim();
}
