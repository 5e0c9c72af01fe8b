using System.Data.Common;
using Hangfire;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Modular.Application.Messaging.DeliverMessage;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Messaging.Jobs;

/// <summary>
/// Delivers the messages that are due now, many per job. One conditional update claims a batch of
/// due rows (queued, or scheduled and due) (<c>FOR UPDATE SKIP LOCKED</c>, so concurrent batches never share a row), then each
/// organization's claimed messages are delivered by one command (one read, the sends side by side, one
/// save of the outcomes), in a scope of that organization. A full batch asks for another job, so a
/// backlog is worked by every free worker.
/// Scheduled sends and retries keep one job per message ("Deliver message 42"), which at its time runs a
/// batch claim too, so messages that fall due together are delivered together.
/// </summary>
public sealed partial class DeliveryBatchJob(
    ModularDbContext db,
    IServiceScopeFactory scopes,
    IBackgroundJobClient jobs,
    DeliveryBatchTrigger trigger,
    TimeProvider clock,
    ILogger<DeliveryBatchJob> logger)
{
    public const int BatchSize = 64;

    [JobDisplayName("Deliver due messages")]
    [Queue(DeliveryJob.Queue)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        trigger.Started();
        await DeliverDueAsync(cancellationToken);
    }

    /// <summary>
    /// Claims up to <see cref="BatchSize"/> messages that are due (queued, or scheduled and their time
    /// has come) and delivers them; a full batch asks for another job. Returns the ids it claimed.
    /// </summary>
    public async Task<IReadOnlySet<long>> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return new HashSet<long>();
        }

        if (claimed.Count == BatchSize)
        {
            trigger.Signal();
        }

        // One delivery command per organization (each in a scope of its own tenant); the process's
        // delivery slots bound how many messages are handed to SMTP at once, across all batch jobs.
        await Task.WhenAll(claimed.GroupBy(row => row.OrganizationId)
            .Select(group => DeliverAsync(group.Key, [.. group.Select(row => row.Id)])));
        return claimed.Select(row => row.Id).ToHashSet();
    }

    private async Task DeliverAsync(long organizationId, IReadOnlyList<long> messageIds)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(organizationId);
        IReadOnlyList<DeliveredMessage> delivered;
        try
        {
            delivered = await scope.ServiceProvider.GetRequiredService<ISender>()
                .Send(new DeliverClaimedMessagesCommand(messageIds), CancellationToken.None);
        }
        catch (DeliveryOutcomesNotSavedException notSaved)
        {
            LogBatchSaveFailed(logger, notSaved.InnerException, notSaved.Attempts.Count);
            delivered = await RecordOneByOneAsync(organizationId, notSaved.Attempts);
        }
        catch (Exception exception)
        {
            // The command failed before its attempts (reading the batch): nothing was sent, and the
            // messages stay in sending until the claim timeout makes them uncertain.
            LogBatchFailed(logger, exception, messageIds.Count);
            return;
        }

        foreach (var failed in delivered.Where(d => d.Result == DeliveryResult.Failed))
        {
            ShowFailure(failed);
        }
    }

    /// <summary>The fallback when a batch could not save its outcomes together: each on its own.</summary>
    private async Task<List<DeliveredMessage>> RecordOneByOneAsync(long organizationId, IReadOnlyList<AttemptedDelivery> attempts)
    {
        var recorded = new List<DeliveredMessage>(attempts.Count);
        foreach (var attempt in attempts)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().Set(organizationId);
                recorded.Add(await scope.ServiceProvider.GetRequiredService<ISender>()
                    .Send(new RecordDeliveryOutcomeCommand(attempt), CancellationToken.None));
            }
            catch (Exception exception)
            {
                // The message stays in sending; after the claim timeout it becomes uncertain.
                LogDeliveryFailed(logger, exception, attempt.MessageId);
            }
        }

        return recorded;
    }

    /// <summary>
    /// Lists a failed delivery under Failed in the dashboard, as "Deliver message 42" with the server's
    /// reply, like the failures of single-message jobs. Requeuing it there does nothing: retrying a
    /// failed message is <c>POST /v1/messages/{id}/retry</c>.
    /// </summary>
    private void ShowFailure(DeliveredMessage failed) =>
        jobs.Create<DeliveryJob>(
            job => job.RunAsync(failed.MessageId, CancellationToken.None),
            new Hangfire.States.FailedState(new MessageDeliveryFailedException(failed.MessageId, failed.Error)));

    private async Task<List<ClaimedMessage>> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE messages SET status = 'Sending', sending_since = @now, updated_at = @now
                WHERE id IN (
                    SELECT id FROM messages
                    WHERE status IN ('Queued', 'Scheduled') AND due_at <= @now
                    ORDER BY due_at
                    LIMIT @batch
                    FOR UPDATE SKIP LOCKED)
                RETURNING id, organization_id
                """;
            Add(command, "now", now);
            Add(command, "batch", BatchSize);
            var claimed = new List<ClaimedMessage>(BatchSize);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(new ClaimedMessage(reader.GetInt64(0), reader.GetInt64(1)));
            }

            return claimed;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private sealed record ClaimedMessage(long Id, long OrganizationId);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "The outcome of claimed message {MessageId} could not be saved")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, long messageId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "The outcomes of {Count} deliveries could not be saved together; saving them one by one")]
    private static partial void LogBatchSaveFailed(ILogger logger, Exception? exception, int count);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Error, Message = "A batch of {Count} claimed messages could not be delivered; they stay in sending until the claim timeout")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}

/// <summary>
/// Asks for a batch delivery job when a message becomes due now, without creating one job per message:
/// while a job asked for by this process has not started yet, further signals add nothing. A request
/// older than <see cref="PendingFor"/> is not trusted (another instance's worker may have run it), so a
/// later signal asks again.
/// </summary>
public sealed class DeliveryBatchTrigger(IBackgroundJobClient jobs)
{
    private static readonly TimeSpan PendingFor = TimeSpan.FromMilliseconds(250);
    private long _pendingSince;

    public void Signal()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var since = Interlocked.Read(ref _pendingSince);
        if (since != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(since, now) < PendingFor)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _pendingSince, now, since) != since)
        {
            return;
        }

        try
        {
            jobs.Enqueue<DeliveryBatchJob>(job => job.RunAsync(CancellationToken.None));
        }
        catch
        {
            Interlocked.Exchange(ref _pendingSince, 0);
            throw;
        }
    }

    public void Started() => Interlocked.Exchange(ref _pendingSince, 0);
}
