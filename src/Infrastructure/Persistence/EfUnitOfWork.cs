using Microsoft.EntityFrameworkCore;
using Modular.Application.Common.Events;
using Modular.Application.Common.Persistence;
using Modular.Domain.Common;
using Npgsql;

namespace Modular.Infrastructure.Persistence;

internal sealed class EfUnitOfWork(ModularDbContext db, DomainEventDispatcher dispatcher) : IUnitOfWork
{
    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        var aggregates = db.ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).Where(a => a.DomainEvents.Count > 0).ToList();
        var events = aggregates.SelectMany(a => a.DomainEvents).ToList();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException exception)
        {
            throw new ConcurrencyConflictException(exception);
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            throw new UniqueConstraintException(unique.ConstraintName ?? "unknown", exception);
        }

        aggregates.ForEach(a => a.ClearDomainEvents());

        // The change is committed: what reacts to it runs now, and a failure here cannot undo it.
        await dispatcher.DispatchAsync(events, CancellationToken.None);
    }
}
