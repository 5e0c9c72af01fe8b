using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Modular.Application.Common.Events;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;
using Modular.Domain.Messaging;
using Npgsql;

namespace Modular.Infrastructure.Persistence;

/// <summary>
/// Commits a scope's changes in one transaction, with the rows the transactional recorders (the
/// webhook outbox) make of the raised events; then runs the handlers of those events.
/// </summary>
internal sealed class EfUnitOfWork(
    ModularDbContext db, DomainEventDispatcher dispatcher, IEnumerable<ITransactionalEventRecorder> recorders, Organizations.ApiKeyRevocations revocations)
    : IUnitOfWork
{
    private readonly ITransactionalEventRecorder[] _recorders = [.. recorders];

    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        // Changes are detected once, here. Every look at the tracked entries below (the aggregates' events,
        // the recorders' reads of new entities, revoked keys, the save itself) would detect them again over
        // every tracked entity: in a delivery batch that was most of the service's CPU per email. Nothing
        // below changes a tracked entity; the recorders only add rows of their own.
        db.ChangeTracker.DetectChanges();
        var detecting = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        IReadOnlyList<IDomainEvent> events;
        try
        {
            events = await SaveDetectedAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detecting;
        }

        // The change is committed: what reacts to it runs now (with change detection on again, as its
        // handlers may change entities), and a failure here cannot undo it.
        await dispatcher.DispatchAsync(events, CancellationToken.None);
    }

    /// <summary>Saves what was detected, with the recorders' rows; returns the events raised, for dispatch.</summary>
    private async Task<IReadOnlyList<IDomainEvent>> SaveDetectedAsync(CancellationToken cancellationToken)
    {
        var aggregates = db.ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).Where(a => a.DomainEvents.Count > 0).ToList();
        var events = aggregates.SelectMany(a => a.DomainEvents).ToList();
        var recorded = new List<(ITransactionalEventRecorder Recorder, IReadOnlyList<Entity> Rows)>();
        if (events.Count > 0)
        {
            foreach (var recorder in _recorders)
            {
                var rows = await recorder.RecordsForAsync(events, cancellationToken);
                if (rows.Count > 0)
                {
                    db.AddRange(rows);
                    recorded.Add((recorder, rows));
                }
            }
        }

        var revokedKeys = Organizations.ApiKeyRevocations.RevokedIn(db);
        try
        {
            await SaveAsync(recorded, revokedKeys, cancellationToken);
        }
        catch (DbUpdateConcurrencyException exception)
        {
            throw new ConcurrencyConflictException(exception);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            throw new UniqueConstraintException(unique.ConstraintName ?? "unknown", exception);
        }

        if (revokedKeys.Count > 0)
        {
            // This instance does not wait for its own notification: its next request already refuses the key.
            revocations.Revoked();
        }

        aggregates.ForEach(a => a.ClearDomainEvents());
        ForgetWrittenContents();
        foreach (var (recorder, rows) in recorded)
        {
            // Written once: the outbox's rows are not saved again by a later save of this context.
            rows.ToList().ForEach(row => db.Entry(row).State = EntityState.Detached);
            recorder.Committed();
        }

        return events;
    }

    public void Forget(AggregateRoot aggregate)
    {
        var entry = db.Entry(aggregate);
        if (entry.State == EntityState.Detached)
        {
            return;
        }

        Detach(entry);
    }

    /// <summary>The owned parts first (detaching an owner alone leaves them tracked, or worse), then the entity.</summary>
    private static void Detach(EntityEntry entry)
    {
        foreach (var navigation in entry.Navigations)
        {
            if (navigation.Metadata is not INavigation { ForeignKey.IsOwnership: true, IsOnDependent: false })
            {
                continue;
            }

            switch (navigation)
            {
                case ReferenceEntry { TargetEntry: { } owned }:
                    Detach(owned);
                    break;
                case CollectionEntry { CurrentValue: { } items } collection:
                    foreach (var owned in items.Cast<object>().Select(collection.FindEntry).OfType<EntityEntry>().ToList())
                    {
                        Detach(owned);
                    }

                    break;
            }
        }

        entry.State = EntityState.Detached;
    }

    /// <summary>
    /// Raw sources and attachment bytes are written once and never changed: once their insert is committed
    /// the context lets go of them, so a scope that saves as it goes does not keep every email it sent.
    /// </summary>
    private void ForgetWrittenContents()
    {
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Unchanged && e.Entity is MessageSource or MessageAttachmentContent).ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    private async Task SaveAsync(
        List<(ITransactionalEventRecorder Recorder, IReadOnlyList<Entity> Rows)> recorded, List<long> revokedKeys, CancellationToken cancellationToken)
    {
        try
        {
            if (revokedKeys.Count == 0)
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }

            // A revocation is announced to every instance in its own transaction: heard once committed, never if not.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await Organizations.ApiKeyRevocations.AnnounceAsync(db, revokedKeys, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            // Nothing was committed: the rows made of the events go with it, so a later save of this
            // context (the events are still on their aggregates) does not write them twice.
            foreach (var (_, rows) in recorded)
            {
                rows.ToList().ForEach(row => db.Entry(row).State = EntityState.Detached);
            }

            throw;
        }
    }
}
