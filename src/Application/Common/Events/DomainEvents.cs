using Modular.Domain.Common;

namespace Modular.Application.Common.Events;

/// <summary>Reacts to a domain event after the change that raised it was committed.</summary>
public interface IDomainEventHandler
{
    bool CanHandle(IDomainEvent domainEvent);

    Task HandleAsync(IDomainEvent domainEvent, CancellationToken cancellationToken);
}

/// <summary>Base of handlers for one event type.</summary>
public abstract class DomainEventHandler<TEvent> : IDomainEventHandler
    where TEvent : IDomainEvent
{
    public bool CanHandle(IDomainEvent domainEvent) => domainEvent is TEvent;

    public Task HandleAsync(IDomainEvent domainEvent, CancellationToken cancellationToken) =>
        HandleAsync((TEvent)domainEvent, cancellationToken);

    protected abstract Task HandleAsync(TEvent domainEvent, CancellationToken cancellationToken);
}

/// <summary>Runs the handlers of committed domain events, in the order the events were raised.</summary>
public sealed class DomainEventDispatcher(IEnumerable<IDomainEventHandler> handlers)
{
    public async Task DispatchAsync(IEnumerable<IDomainEvent> events, CancellationToken cancellationToken)
    {
        foreach (var domainEvent in events)
        {
            foreach (var handler in handlers)
            {
                if (handler.CanHandle(domainEvent))
                {
                    await handler.HandleAsync(domainEvent, cancellationToken);
                }
            }
        }
    }
}

/// <summary>
/// Records some domain events in the same transaction as the change that raised them (a transactional
/// outbox): before it saves, the unit of work asks each recorder for the rows to save with the change,
/// and after the commit it tells the recorders that wrote some.
/// </summary>
public interface ITransactionalEventRecorder
{
    /// <summary>The rows to save with the change for <paramref name="events"/>; empty when none is of interest.</summary>
    ValueTask<IReadOnlyList<Entity>> RecordsForAsync(IReadOnlyList<IDomainEvent> events, CancellationToken cancellationToken);

    /// <summary>The rows it gave were committed.</summary>
    void Committed();
}
