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

    /// <summary>An inbound message: it came in, there is nothing to deliver.</summary>
    Received,
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

    /// <summary>Accepted by the relay, then reported undeliverable (an RFC 3464 delivery status notification).</summary>
    Bounced,
}

/// <summary>What a bounce said about a recipient: the RFC 3463 status, the remote server's diagnostic, when it came.</summary>
public sealed record RecipientBounce(string Status, string? Diagnostic, DateTimeOffset At)
{
    public bool IsPermanent => Status.StartsWith('5');
}

/// <summary>A recipient of the message was reported as undeliverable.</summary>
public sealed record MessageBounced(Message Message, string Address, string Status, string? Diagnostic, bool Permanent, DateTimeOffset At) : IDomainEvent;

/// <summary>A recipient of the message complained about it (an RFC 5965 feedback report).</summary>
public sealed record MessageComplained(Message Message, string Address, string? FeedbackType, DateTimeOffset At) : IDomainEvent;

/// <summary>One recipient of a message, with what became of it.</summary>
public sealed record Recipient(RecipientKind Kind, string Address, string? Name = null)
{
    public RecipientStatus Status { get; init; }

    /// <summary>The server's reply to <c>RCPT TO</c> of the latest attempt, when it got that far.</summary>
    public SmtpReply? Reply { get; init; }

    /// <summary>Why the recipient was left out (<see cref="RecipientStatus.Excluded"/>), for example <c>opted_out</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>The latest bounce reported for the recipient (<see cref="RecipientStatus.Bounced"/>).</summary>
    public RecipientBounce? Bounce { get; init; }

    /// <summary>Goes into the envelope (and the headers, unless Bcc) of the next attempt.</summary>
    public bool IsInEnvelope => Status is RecipientStatus.Pending;
}

/// <summary>A recipient left out of a send, and why (for example <c>opted_out</c>).</summary>
public sealed record ComplianceResult(string Address, string Reason)
{
    public const string OptedOut = "opted_out";

    /// <summary>The reason of an address on the organization's suppression list: <c>suppressed:hard_bounce</c> and so on.</summary>
    public static string Suppressed(string reason) => "suppressed:" + reason;
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

    /// <summary>A scheduled follow-up that is canceled when the contact writes in its conversation first.</summary>
    public bool CancelOnReply { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the request that accepted the message, if it was traced.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>A file that came with an inbound message: its place (from 0), name, type and size; the content is stored apart.</summary>
public sealed record ReceivedAttachment(int Index, string? FileName, string ContentType, long Size);

/// <summary>Everything a new inbound message is made of; built by the receive use case from a parsed email.</summary>
public sealed record InboundDraft
{
    public required long OrganizationId { get; init; }
    public required long ConversationId { get; init; }
    public required long ChannelId { get; init; }
    public required Mailbox From { get; init; }
    public Mailbox? ReplyTo { get; init; }
    public required IReadOnlyList<Recipient> Recipients { get; init; }
    public required string Subject { get; init; }
    public string? TextBody { get; init; }
    public string? HtmlBody { get; init; }
    public IReadOnlyList<ReceivedAttachment> Attachments { get; init; } = [];
    public required string MessageIdHeader { get; init; }
    public string? InReplyTo { get; init; }
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>The message's own Date header, when it had a readable one.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>An automatic answer (Auto-Submitted, X-Autoreply, X-Autorespond, Precedence: auto_reply/bulk/junk/list).</summary>
    public bool AutoReply { get; init; }
}

/// <summary>Raised when an inbound message was stored in its conversation (webhooks publish it as <c>message.received</c>).</summary>
public sealed record MessageReceived(Message Message, long ContactId) : IDomainEvent;

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

/// <summary>A scheduled message was canceled: on request, or because the contact replied first (its <see cref="Message.CancelReason"/>).</summary>
public sealed record MessageCanceled(Message Message, DateTimeOffset At) : MessageStatusReached(Message, At);


/// <summary>One email, outbound or inbound, in exactly one conversation, with its delivery status.</summary>
public sealed class Message : AggregateRoot, ITenantOwned
{
    public const int SubjectMaxLength = 998;
    public const int MaxAttachments = 10;

    /// <summary>The cancel reason of a follow-up whose contact replied before it was due.</summary>
    public const string ContactReplied = "contact_replied";

    /// <summary>What an erased subject reads as.</summary>
    public const string ErasedText = "[erased]";

    /// <summary>The cancel reason of a scheduled message whose contact was erased.</summary>
    public const string ContactErased = "contact_erased";

    private List<Recipient> _recipients = [];
    private List<string> _attachmentUrls = [];
    private List<string> _references = [];
    private readonly List<DeliveryAttempt> _attempts = [];
    private List<ComplianceResult> _complianceResults = [];
    private List<ReceivedAttachment> _receivedAttachments = [];

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

    /// <summary>A scheduled follow-up that a (non-automatic) reply in its conversation cancels.</summary>
    public bool CancelOnReply { get; private set; }

    /// <summary>
    /// The W3C trace context (<c>traceparent</c>) of the request that accepted an outbound message, so its
    /// delivery, however much later, joins that request's trace. Null when nothing was traced.
    /// </summary>
    public string? TraceParent { get; private set; }

    /// <summary>Why the message was canceled (<c>canceled_by_request</c>, <see cref="ContactReplied"/>); null otherwise.</summary>
    public string? CancelReason { get; private set; }

    /// <summary>Inbound: the files that came with it (their content is stored apart, by index).</summary>
    public IReadOnlyList<ReceivedAttachment> ReceivedAttachments => _receivedAttachments;

    /// <summary>Inbound: the message's own Date header.</summary>
    public DateTimeOffset? Date { get; private set; }

    /// <summary>Inbound: an automatic answer (out of office, list mail), which reopens nothing and cancels no follow-up.</summary>
    public bool AutoReply { get; private set; }

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
            CancelOnReply = draft.CancelOnReply,
            TraceParent = draft.TraceParent,
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

    /// <summary>
    /// Stores an email that came in (<c>received</c>, nothing to deliver). The receive use case has
    /// decoded and cleaned its header values: a line break or an over-long value here is a bug upstream.
    /// </summary>
    public static Result<Message> CreateInbound(InboundDraft draft, long contactId, DateTimeOffset now)
    {
        if (HeaderText.HasLineBreak(draft.Subject) || draft.Subject.Length > SubjectMaxLength)
        {
            return Common.Error.Validation("subject", $"A subject has at most {SubjectMaxLength} characters and no line break.");
        }

        if (HeaderText.HasLineBreak(draft.From.Name) || HeaderText.HasLineBreak(draft.ReplyTo?.Name)
            || draft.Recipients.Any(r => HeaderText.HasLineBreak(r.Name)) || HeaderText.HasLineBreak(draft.MessageIdHeader)
            || HeaderText.HasLineBreak(draft.InReplyTo) || draft.References.Any(HeaderText.HasLineBreak))
        {
            return Common.Error.Validation("headers", "A header value cannot contain a line break.");
        }

        var message = new Message
        {
            OrganizationId = draft.OrganizationId,
            ConversationId = draft.ConversationId,
            ChannelId = draft.ChannelId,
            Direction = MessageDirection.Inbound,
            Status = DeliveryStatus.Received,
            FromAddress = draft.From.Address.Value,
            FromName = draft.From.Name,
            ReplyToAddress = draft.ReplyTo?.Address.Value,
            ReplyToName = draft.ReplyTo?.Name,
            _recipients = [.. draft.Recipients],
            Subject = draft.Subject,
            TextBody = draft.TextBody,
            HtmlBody = draft.HtmlBody,
            _receivedAttachments = [.. draft.Attachments],
            MessageIdHeader = draft.MessageIdHeader,
            InReplyTo = draft.InReplyTo,
            _references = [.. draft.References],
            Date = draft.Date,
            AutoReply = draft.AutoReply,
            DueAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        message.Raise(new MessageReceived(message, contactId));
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
        CancelReason = "canceled_by_request";
        UpdatedAt = now;
        Raise(new MessageCanceled(this, now));
        return Result.Success();
    }

    /// <summary>
    /// The contact wrote in the conversation before this follow-up was due: a scheduled message with
    /// <see cref="CancelOnReply"/> is canceled (reason <see cref="ContactReplied"/>); any other is left as it is.
    /// The claim takes only scheduled and queued rows, so a canceled follow-up is never sent.
    /// </summary>
    public bool CancelBecauseContactReplied(DateTimeOffset now)
    {
        if (!CancelOnReply || Status != DeliveryStatus.Scheduled)
        {
            return false;
        }

        Status = DeliveryStatus.Canceled;
        CancelReason = ContactReplied;
        UpdatedAt = now;
        Raise(new MessageCanceled(this, now));
        return true;
    }

    /// <summary>
    /// Erases a contact's personal data from a message of its conversations (GDPR): bodies, subject,
    /// attachment links and names go; the contact's address becomes <paramref name="placeholder"/> wherever
    /// it appears (recipients, sender, reply-to, compliance results, SMTP replies, the error). Ids, status,
    /// times and the Message-ID stay, so the thread is still counted. A scheduled or queued message is canceled
    /// (reason <see cref="ContactErased"/>); the raw source and attachment contents are removed by the caller.
    /// </summary>
    public void ErasePersonalData(string normalizedAddress, string placeholder, DateTimeOffset now)
    {
        string? Scrub(string? text) => text?.Replace(normalizedAddress, placeholder, StringComparison.OrdinalIgnoreCase);
        bool Same(string? address) => string.Equals(address, normalizedAddress, StringComparison.OrdinalIgnoreCase);

        TextBody = null;
        HtmlBody = null;
        Subject = ErasedText;
        _attachmentUrls = [];
        _receivedAttachments = [];
        _recipients = [.. _recipients.Select(r => Same(r.Address)
            ? r with { Address = placeholder, Name = null, Reply = r.Reply is { } reply ? reply with { Text = Scrub(reply.Text) ?? string.Empty } : null, Bounce = r.Bounce is { } bounce ? bounce with { Diagnostic = null } : null }
            : r)];
        _complianceResults = [.. _complianceResults.Select(c => Same(c.Address) ? c with { Address = placeholder } : c)];
        var attempts = _attempts.Select(a => a with { ReplyText = Scrub(a.ReplyText) }).ToList();
        _attempts.Clear();
        _attempts.AddRange(attempts);
        if (Same(FromAddress))
        {
            FromAddress = placeholder;
            FromName = null;
        }

        if (Same(ReplyToAddress))
        {
            ReplyToAddress = null;
            ReplyToName = null;
        }

        Error = Scrub(Error);
        // Nothing waiting goes out any more: a scheduled send, and a queued one (a retry due later, or not yet claimed).
        if (Status is DeliveryStatus.Scheduled or DeliveryStatus.Queued)
        {
            Status = DeliveryStatus.Canceled;
            CancelReason = ContactErased;
            Raise(new MessageCanceled(this, now));
        }

        UpdatedAt = now;
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

    /// <summary>
    /// Records a bounce reported for one recipient of an outbound message that left (sent, or uncertain):
    /// the recipient becomes <c>bounced</c> with the status and diagnostic. The message's own status stays:
    /// it was delivered to the relay. A not-found error when the address is not a recipient of it.
    /// </summary>
    public Result RecordBounce(string address, string status, string? diagnostic, DateTimeOffset at)
    {
        if (Direction != MessageDirection.Outbound || Status is not (DeliveryStatus.Sent or DeliveryStatus.Uncertain))
        {
            return Conflict("bounced");
        }

        var index = _recipients.FindIndex(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            return new Common.Error("recipient.not_found", $"{address} is not a recipient of message {Id}.", ErrorType.NotFound);
        }

        var bounce = new RecipientBounce(status, diagnostic, at);

        // Copies of the owned reply: one owned instance cannot belong to two recipients (the old one and its replacement).
        var recipient = _recipients[index];
        _recipients[index] = recipient with { Status = RecipientStatus.Bounced, Bounce = bounce, Reply = recipient.Reply is { } reply ? reply with { } : null };
        UpdatedAt = at;
        Raise(new MessageBounced(this, _recipients[index].Address, status, diagnostic, bounce.IsPermanent, at));
        return Result.Success();
    }

    /// <summary>Records that a recipient of an outbound message complained about it.</summary>
    public Result RecordComplaint(string address, string? feedbackType, DateTimeOffset at)
    {
        if (Direction != MessageDirection.Outbound)
        {
            return Conflict("complained about");
        }

        var recipient = _recipients.FirstOrDefault(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase));
        UpdatedAt = at;
        Raise(new MessageComplained(this, recipient?.Address ?? address, feedbackType, at));
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
