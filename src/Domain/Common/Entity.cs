namespace Modular.Domain.Common;

/// <summary>An object with an identity: two entities are the same when their ids are.</summary>
public abstract class Entity
{
    /// <summary>Database-assigned identity; zero until the entity is first saved.</summary>
    public long Id { get; private set; }
}

/// <summary>
/// The root of a consistency boundary. Only the root is loaded and saved through a repository, and
/// only its methods change its state. Facts other parts of the system react to are raised as events.
/// </summary>
public abstract class AggregateRoot : Entity
{
    private readonly List<IDomainEvent> _domainEvents = [];

    public IReadOnlyList<IDomainEvent> DomainEvents => _domainEvents;

    protected void Raise(IDomainEvent domainEvent) => _domainEvents.Add(domainEvent);

    public void ClearDomainEvents() => _domainEvents.Clear();
}

/// <summary>A fact that happened in the domain, named in the past tense.</summary>
public interface IDomainEvent;

/// <summary>Everything an organization owns carries its id; the persistence layer filters on it.</summary>
public interface ITenantOwned
{
    long OrganizationId { get; }
}
