using Ardalis.Specification;
using Modular.Domain.Common;

namespace Modular.Application.Common.Persistence;

/// <summary>Loads and adds aggregates of one kind. Changes are committed by the unit of work, not here.</summary>
public interface IRepository<T>
    where T : AggregateRoot
{
    Task<T?> FirstOrDefaultAsync(ISpecification<T> specification, CancellationToken cancellationToken);

    Task<List<T>> ListAsync(ISpecification<T> specification, CancellationToken cancellationToken);

    /// <summary>Counts what the specification's criteria match, ignoring its paging.</summary>
    Task<int> CountAsync(ISpecification<T> specification, CancellationToken cancellationToken);

    Task<bool> AnyAsync(ISpecification<T> specification, CancellationToken cancellationToken);

    /// <summary>Adds a new aggregate; its id is assigned here (from a block of the id sequence).</summary>
    ValueTask AddAsync(T aggregate, CancellationToken cancellationToken);

    /// <summary>Deletes a loaded aggregate when the unit of work commits (its events are dispatched as usual).</summary>
    void Remove(T aggregate);
}

/// <summary>Commits everything a command changed, at once.</summary>
public interface IUnitOfWork
{
    /// <summary>Saves all changes in one transaction, then runs the handlers of the events raised.</summary>
    Task SaveChangesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Lets go of a saved aggregate: later saves of this scope neither look at it nor write it, and it no
    /// longer holds memory here. For a scope that saves as it goes (a delivery batch), once an aggregate's
    /// last change is committed.
    /// </summary>
    void Forget(AggregateRoot aggregate);
}

/// <summary>The organization on whose behalf the current request or job runs.</summary>
public interface ICurrentTenant
{
    /// <summary>The organization id; reading it when no tenant is set is a bug.</summary>
    long OrganizationId { get; }
}

/// <summary>Thrown when saving breaks a uniqueness rule that a look-up could not rule out (a race).</summary>
public sealed class UniqueConstraintException(string constraint, Exception inner)
    : Exception($"Unique constraint {constraint} was violated.", inner)
{
    public string Constraint { get; } = constraint;
}

/// <summary>Thrown when a row changed between being read and being saved (an optimistic-concurrency loss).</summary>
public sealed class ConcurrencyConflictException(Exception inner)
    : Exception("The row was changed by someone else since it was read.", inner);

/// <summary>Runs a request as a given organization, in a scope of its own (jobs that serve many organizations).</summary>
public interface ITenantScopes
{
    Task<TResponse> SendAsync<TResponse>(long organizationId, Mediator.IRequest<TResponse> request, CancellationToken cancellationToken);

    /// <summary>Runs a command (committed by its unit of work) as a given organization, in a scope of its own.</summary>
    Task<TResponse> SendAsync<TResponse>(long organizationId, Mediator.ICommand<TResponse> command, CancellationToken cancellationToken);
}

/// <summary>What kind of failure an exception is, for how loudly it is logged and how it is answered.</summary>
public enum FailureKind
{
    /// <summary>A bug or a broken component nobody expected: an error in the log, a 500.</summary>
    Unexpected,

    /// <summary>A race the code handles (a uniqueness clash, an optimistic-concurrency loss): informational.</summary>
    Race,

    /// <summary>The database cannot be reached now: a 503 with Retry-After, one warning per interval.</summary>
    Unavailable,
}

/// <summary>Tells expected failures from bugs; the adapter knows what its driver throws.</summary>
public interface IFailureClassifier
{
    FailureKind Classify(Exception exception);
}
