using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Ports;

/// <summary>
/// Makes sure a delivery run happens when messages fall due: at once for a message due now, and at the
/// time slot (the whole second) of a message due later. Creating a slot that exists already adds nothing.
/// </summary>
public interface IDeliveryScheduler
{
    /// <summary>Asks for a delivery run now (a message fell due now).</summary>
    void RunNow();

    /// <summary>
    /// A run's claim came back full, so more is waiting: asks for one more run (which any worker of any
    /// instance may take) unless this process already runs enough of them.
    /// </summary>
    void HelpWithBacklog();

    /// <summary>Asks for a delivery run at the slot of <paramref name="dueAt"/> (a scheduled send, a retry).</summary>
    Task EnsureSlotAsync(DateTimeOffset dueAt, CancellationToken cancellationToken);
}

/// <summary>A message taken by a claim: this process now owns its delivery attempt.</summary>
public sealed record ClaimedMessage(long Id, long OrganizationId);

/// <summary>
/// The one way a message is taken for delivery, used by every path (immediate, scheduled, retry,
/// recovered): one conditional update of due, claimable rows (<see cref="Message.ClaimableStatuses"/>),
/// which concurrent claimers never share. The claim names this process (a lease renewed by its
/// heartbeat), so a claim whose process died is recognised from data.
/// </summary>
public interface IMessageClaims
{
    /// <summary>Moves up to <paramref name="max"/> due messages to <c>sending</c>, claimed by this process.</summary>
    Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(int max, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Commits the handover point of a claimed message at <paramref name="at"/>, before its SMTP transaction
    /// starts: from here on a crash leaves it <c>uncertain</c> rather than queued again. Then records it on
    /// the message (<see cref="Message.MarkHandover"/>) while holding the batch's context
    /// (<see cref="Delivery.BatchContext"/>). False when this process no longer holds the claim (it was
    /// recovered): the message must not be sent.
    /// </summary>
    Task<bool> CommitHandoverAsync(Message message, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Messages in <c>sending</c> whose claiming process is no longer alive (its heartbeat stopped).</summary>
    Task<IReadOnlyList<ClaimedMessage>> FindAbandonedAsync(int max, CancellationToken cancellationToken);

    /// <summary>The earliest due time of a claimable message before <paramref name="before"/>, or null.</summary>
    Task<DateTimeOffset?> NextDueAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>True when a claimable message has been due since before <paramref name="dueBefore"/> (nobody picked it up).</summary>
    Task<bool> AnyOverdueAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken);
}

/// <summary>Shows a delivery that failed for good in the operators' dashboard, with the server's reply.</summary>
public interface IDeliveryFailures
{
    void Show(long messageId, string? reason);
}

/// <summary>An email ready to hand to SMTP: headers, bodies, attachments and the envelope.</summary>
public sealed record OutgoingEmail
{
    public required Domain.Common.Mailbox From { get; init; }
    public string? Sender { get; init; }
    public Domain.Common.Mailbox? ReplyTo { get; init; }
    public required IReadOnlyList<Recipient> Recipients { get; init; }
    public required string Subject { get; init; }
    public string? TextBody { get; init; }
    public string? HtmlBody { get; init; }
    public IReadOnlyList<FetchedAttachment> Attachments { get; init; } = [];
    public required string MessageId { get; init; }
    public string? InReplyTo { get; init; }
    public IReadOnlyList<string> References { get; init; } = [];
    public required DateTimeOffset Date { get; init; }

    /// <summary>The SMTP envelope sender: the channel's address, or its VERP return path (<c>bounces+{token}@domain</c>).</summary>
    public required string EnvelopeFrom { get; init; }

    /// <summary>The targets of <c>List-Unsubscribe</c> (RFC 2369), without angle brackets: the https link first, then the mailto; empty for none.</summary>
    public IReadOnlyList<string> ListUnsubscribe { get; init; } = [];

    /// <summary>Adds <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c> (RFC 8058): the first target takes a one-click POST.</summary>
    public bool ListUnsubscribeOneClick { get; init; }

    /// <summary>The channel's DKIM key: the transport signs the message with it as the last step before SMTP; null to send unsigned.</summary>
    public DkimSigningKey? Dkim { get; init; }
}

/// <summary>What DKIM signing needs: the signing domain (<c>d=</c>), the selector (<c>s=</c>) and the private key (PEM).</summary>
public sealed class DkimSigningKey(string domain, string selector, string privateKeyPem)
{
    public string Domain => domain;

    public string Selector => selector;

    public string PrivateKeyPem => privateKeyPem;

    /// <summary>Never the key.</summary>
    public override string ToString() => $"DKIM d={domain} s={selector}";
}

/// <summary>Where the service is reached from outside (<c>Public:BaseUrl</c>), for the links email carries; null when not configured.</summary>
public sealed record PublicLinks(Uri? BaseUrl);

/// <summary>
/// The relay to use: a channel's own, or null for the default relay from configuration. Each relay has a
/// pool of at most <see cref="MaxConnections"/> connections of its own.
/// </summary>
public sealed record SmtpRoute(string Host, int Port, SmtpSecurity Security, string? Username, string? Password, int MaxConnections = SmtpSettings.DefaultMaxConnections);

/// <summary>What happened when the transport tried to hand a message over.</summary>
/// <param name="Outcome">Sent (at least one recipient accepted and the server took the message), transient, permanent or uncertain.</param>
/// <param name="Phase">The part of the SMTP transaction reached (or where it failed).</param>
/// <param name="Reply">The server's reply that decided the outcome (the reply to the final dot when sent); null when none came.</param>
/// <param name="Recipients">Each envelope recipient's reply to <c>RCPT TO</c>, when the transaction got that far.</param>
/// <param name="Detail">What went wrong when no reply says it (a connection error, an attachment failure).</param>
public sealed record TransportOutcome(
    AttemptOutcome Outcome,
    DeliveryPhase Phase,
    SmtpReply? Reply,
    IReadOnlyList<RecipientReply> Recipients,
    string? Detail = null)
{
    /// <summary>The exact bytes of the message as handed to SMTP (before dot-stuffing), when it was built.</summary>
    public byte[]? Source { get; init; }

    /// <summary>A failure with no SMTP reply (a connection that broke, an attachment that could not be had).</summary>
    public static TransportOutcome Failure(AttemptOutcome outcome, DeliveryPhase phase, string detail) => new(outcome, phase, null, [], detail);
}

/// <summary>
/// Hands messages to an SMTP server through the relay's connection pool and classifies failures as
/// transient, permanent or uncertain.
/// </summary>
public interface IEmailTransport
{
    /// <summary>Sends the email; <paramref name="beforeHandover"/> runs once the connection is ready and before <c>MAIL FROM</c>: the transaction starts only after it returns.</summary>
    Task<TransportOutcome> SendAsync(OutgoingEmail email, SmtpRoute? route, Func<CancellationToken, Task> beforeHandover, CancellationToken cancellationToken);
}

public sealed record FetchedAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>Downloads an attachment URL at delivery time, refusing private and local addresses.</summary>
public interface IAttachmentFetcher
{
    /// <summary>Fetches every URL, within the per-file and total size caps.</summary>
    Task<AttachmentFetchResult> FetchAllAsync(IReadOnlyList<string> urls, CancellationToken cancellationToken);
}

/// <summary>Either the attachments, or why they could not be had (transient failures are retried).</summary>
public sealed record AttachmentFetchResult(IReadOnlyList<FetchedAttachment> Attachments, AttemptOutcome? Failure, string? Reason)
{
    public static AttachmentFetchResult Success(IReadOnlyList<FetchedAttachment> attachments) => new(attachments, null, null);

    public static AttachmentFetchResult Transient(string reason) => new([], AttemptOutcome.Transient, reason);

    public static AttachmentFetchResult Permanent(string reason) => new([], AttemptOutcome.Permanent, reason);
}

/// <summary>How deliveries are retried, and when a claiming process counts as gone.</summary>
public sealed record DeliveryPolicy
{
    /// <summary>Waits between attempts after transient failures; one more attempt than delays.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
    ];

    /// <summary>Messages one claim takes at most.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Claim loops a delivery run keeps going side by side.</summary>
    public int ClaimLoops { get; init; } = 4;

    /// <summary>Connections of the default relay (<c>Smtp:MaxConnections</c>); a channel's own relay says its own.</summary>
    public int DefaultRelayConnections { get; init; } = 16;

    /// <summary>A claimable message due for longer than this was not picked up: the sweeper re-drives it.</summary>
    public TimeSpan OverdueAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a delivering process renews its lease (its heartbeat).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A process whose heartbeat is older than this is gone: its claims are recovered.</summary>
    public TimeSpan ClaimerTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>When to try again after the given number of failed attempts; null when none is left.</summary>
    public DateTimeOffset? NextAttemptAt(int failedAttempts, DateTimeOffset now) =>
        failedAttempts <= RetryDelays.Count ? now + RetryDelays[failedAttempts - 1] : null;
}
