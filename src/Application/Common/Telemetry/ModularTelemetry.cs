using System.Diagnostics;
using System.Diagnostics.Metrics;
using Modular.Application.Common.Events;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Common.Telemetry;

/// <summary>
/// The service's own traces (ActivitySource <c>Modular</c>) and metrics (Meter <c>Modular</c>). Both are
/// BCL types: with no listener (no exporter configured, no <c>/metrics</c>) starting a span returns null and
/// adding to a counter is a check of a flag, so the delivery path pays next to nothing for them.
/// </summary>
public static class ModularTelemetry
{
    public const string Name = "Modular";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    private static readonly Counter<long> SendsAccepted = Meter.CreateCounter<long>(
        "modular.sends.accepted", "{message}", "Outbound messages accepted by a send endpoint (any status, blocked included).");

    private static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>(
        "modular.emails.sent", "{email}", "Emails the relay accepted.");

    private static readonly Counter<long> EmailsFailed = Meter.CreateCounter<long>(
        "modular.emails.failed", "{email}", "Emails that failed for good (a permanent reply, or the last retry).");

    private static readonly Counter<long> EmailsUncertain = Meter.CreateCounter<long>(
        "modular.emails.uncertain", "{email}", "Emails whose connection broke after the whole message was handed over.");

    private static readonly Counter<long> EmailsRetried = Meter.CreateCounter<long>(
        "modular.emails.retried", "{email}", "Attempts that failed transiently and were queued again.");

    private static readonly Counter<long> EmailsBlocked = Meter.CreateCounter<long>(
        "modular.emails.blocked", "{email}", "Emails not sent because no To recipient may be sent to (opted out, suppressed).");

    private static readonly Histogram<double> Lateness = Meter.CreateHistogram(
        "modular.delivery.lateness", "s", "How long after its due time an email's attempt started.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly Counter<long> SmtpReplies = Meter.CreateCounter<long>(
        "modular.smtp.replies", "{reply}", "The SMTP servers' final replies to delivery attempts, by code.");

    private static readonly Counter<long> InboundReceived = Meter.CreateCounter<long>(
        "modular.inbound.received", "{email}", "Inbound emails stored (replies, bounces, complaints).");

    /// <summary>
    /// The W3C <c>traceparent</c> of the current span, to be carried on a message row; null when the span
    /// is not recorded (tracing off, or sampled out): then there is no trace for the delivery to join.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>
    /// Starts the span of one delivery attempt: a child of the request that accepted the message (its
    /// <paramref name="traceParent"/>), so one trace shows the request, its SQL, and the SMTP exchange
    /// that followed; it also links to the span that runs the delivery batch, if there is one. Null when nobody listens.
    /// </summary>
    public static Activity? StartDelivery(long messageId, string? traceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var batch = Activity.Current;
        var hasParent = ActivityContext.TryParse(traceParent, null, out var parent);
        IEnumerable<ActivityLink>? links = batch is null ? null : [new ActivityLink(batch.Context)];
        var activity = Source.StartActivity("deliver email", ActivityKind.Internal, hasParent ? parent : batch?.Context ?? default, links: links);
        activity?.SetTag("modular.message.id", messageId);
        return activity;
    }

    /// <summary>Starts the span of one webhook delivery attempt (a trace of its own, around its HTTP request); null when nobody listens.</summary>
    public static Activity? StartWebhook(string eventId)
    {
        var activity = Source.HasListeners() ? Source.StartActivity("deliver webhook", ActivityKind.Internal, default(ActivityContext)) : null;
        activity?.SetTag("modular.webhook.event_id", eventId);
        return activity;
    }

    /// <summary>Records how an attempt ended on its span (when traced) and the server's reply code in the counters.</summary>
    public static void AttemptEnded(Activity? activity, AttemptOutcome outcome, int? replyCode)
    {
        if (activity is not null)
        {
            activity.SetTag("modular.attempt.outcome", outcome.ToString().ToLowerInvariant());
            if (replyCode is { } code)
            {
                activity.SetTag("smtp.reply.code", code);
            }

            if (outcome != AttemptOutcome.Sent)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome.ToString());
            }
        }

        if (replyCode is { } reply && SmtpReplies.Enabled)
        {
            SmtpReplies.Add(1, new KeyValuePair<string, object?>("smtp.reply.code", reply));
        }
    }

    /// <summary>An outbound message accepted by <paramref name="endpoint"/> (<c>channel</c> or <c>inbox</c>), blocked ones included.</summary>
    public static void SendAccepted(string endpoint)
    {
        if (SendsAccepted.Enabled)
        {
            SendsAccepted.Add(1, new KeyValuePair<string, object?>("modular.endpoint", endpoint));
        }
    }

    /// <summary>An attempt starts <paramref name="late"/> after the message's due time.</summary>
    public static void AttemptStarted(TimeSpan late)
    {
        if (Lateness.Enabled)
        {
            Lateness.Record(Math.Max(0, late.TotalSeconds));
        }
    }

    /// <summary>Counts a committed status change or arrival (<see cref="MessageMetrics"/> calls it).</summary>
    internal static void Committed(IDomainEvent domainEvent)
    {
        switch (domainEvent)
        {
            case MessageSent:
                EmailsSent.Add(1);
                break;
            case MessageFailed:
                EmailsFailed.Add(1);
                break;
            case MessageUncertain:
                EmailsUncertain.Add(1);
                break;
            case MessageBlocked:
                EmailsBlocked.Add(1);
                break;
            case MessageDeliveryDue { Message.Attempts.Count: > 0 } due when due.Message.Status == DeliveryStatus.Queued:
                EmailsRetried.Add(1);
                break;
            case MessageReceived:
                InboundReceived.Add(1);
                break;
            default:
                break;
        }
    }
}

/// <summary>
/// Counts emails sent, failed, uncertain, blocked, retried and received from the domain events, after
/// their change was committed: a dry run, a rolled-back save or a lost claim counts nothing, and every
/// path that settles a message (an attempt, the sweeper's recovery, send-time screening) counts alike.
/// </summary>
public sealed class MessageMetrics : IDomainEventHandler
{
    public bool CanHandle(IDomainEvent domainEvent) =>
        domainEvent is MessageStatusReached or MessageReceived or MessageDeliveryDue;

    public Task HandleAsync(IDomainEvent domainEvent, CancellationToken cancellationToken)
    {
        ModularTelemetry.Committed(domainEvent);
        return Task.CompletedTask;
    }
}
