using Modular.Domain.Channels;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.Ports;

/// <summary>Queues the delivery of a message: at once when it is due, else at its due time.</summary>
public interface IDeliveryScheduler
{
    /// <summary>
    /// Creates the delivery job. With <paramref name="mayHaveScheduledJob"/>, a job still waiting for an
    /// earlier due time of the same message is removed first (a reschedule).
    /// </summary>
    Task DispatchAsync(long messageId, DateTimeOffset dueAt, bool mayHaveScheduledJob, CancellationToken cancellationToken);

    /// <summary>Removes the waiting delivery job of a message (after a cancel); the message row stays the truth.</summary>
    Task WithdrawAsync(long messageId, CancellationToken cancellationToken);
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

    /// <summary>The SMTP envelope sender: the channel's address.</summary>
    public required string EnvelopeFrom { get; init; }
}

/// <summary>The relay to use: the channel's own, or null for the default relay from configuration.</summary>
public sealed record SmtpRoute(string Host, int Port, SmtpSecurity Security, string? Username, string? Password);

/// <summary>What happened when the transport tried to hand a message over.</summary>
public sealed record TransportOutcome(AttemptOutcome Outcome, DeliveryPhase Phase, int? ReplyCode, string? ReplyText)
{
    public static TransportOutcome Sent(int? code, string? text) => new(AttemptOutcome.Sent, DeliveryPhase.Completed, code, text);
}

/// <summary>Hands messages to an SMTP server and classifies failures as transient, permanent or uncertain.</summary>
public interface IEmailTransport
{
    Task<TransportOutcome> SendAsync(OutgoingEmail email, SmtpRoute? route, CancellationToken cancellationToken);
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

/// <summary>How deliveries are retried and when an abandoned claim is given up.</summary>
public sealed record DeliveryPolicy
{
    /// <summary>Waits between attempts after transient failures; one more attempt than delays.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
    ];

    /// <summary>A message left in <c>sending</c> longer than this had its worker die.</summary>
    public TimeSpan ClaimTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How early a job may fire and still wait for the due time instead of giving up.</summary>
    public TimeSpan EarlyFireTolerance { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>When to try again after the given number of failed attempts; null when none is left.</summary>
    public DateTimeOffset? NextAttemptAt(int failedAttempts, DateTimeOffset now) =>
        failedAttempts <= RetryDelays.Count ? now + RetryDelays[failedAttempts - 1] : null;
}
