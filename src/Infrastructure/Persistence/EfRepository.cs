using Microsoft.EntityFrameworkCore;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;

namespace Modular.Infrastructure.Persistence;

internal sealed class EfRepository<T>(ModularDbContext db) : IRepository<T>
    where T : AggregateRoot
{
    public Task<T?> FirstOrDefaultAsync(Specification<T> specification, CancellationToken cancellationToken) =>
        SpecificationEvaluator.Apply(db.Set<T>(), specification).FirstOrDefaultAsync(cancellationToken);

    public Task<List<T>> ListAsync(Specification<T> specification, CancellationToken cancellationToken) =>
        SpecificationEvaluator.Apply(db.Set<T>(), specification).ToListAsync(cancellationToken);

    public Task<int> CountAsync(Specification<T> specification, CancellationToken cancellationToken) =>
        SpecificationEvaluator.Apply(db.Set<T>(), specification, forCount: true).CountAsync(cancellationToken);

    public Task<bool> AnyAsync(Specification<T> specification, CancellationToken cancellationToken) =>
        SpecificationEvaluator.Apply(db.Set<T>(), specification, forCount: true).AnyAsync(cancellationToken);

    // Async on purpose: taking the next block of ids may query the sequence, and a synchronous
    // query here would block a thread-pool thread while it waits for a pooled connection.
    public async ValueTask AddAsync(T aggregate, CancellationToken cancellationToken) =>
        await db.Set<T>().AddAsync(aggregate, cancellationToken);

    public void Remove(T aggregate) => db.Set<T>().Remove(aggregate);
}

/// <summary>Turns a <see cref="Specification{T}"/> into an EF Core query.</summary>
public static class SpecificationEvaluator
{
    /// <summary>
    /// Applies the specification to <paramref name="source"/>; with <paramref name="forCount"/> only its
    /// criteria (for counts and existence checks).
    /// </summary>
    public static IQueryable<T> Apply<T>(IQueryable<T> source, Specification<T> specification, bool forCount = false)
        where T : class
    {
        var query = source;
        foreach (var criterion in specification.Criteria)
        {
            query = query.Where(criterion);
        }

        if (forCount)
        {
            return query;
        }

        foreach (var include in specification.Includes)
        {
            query = query.Include(include);
        }

        IOrderedQueryable<T>? ordered = null;
        foreach (var order in specification.OrderBy)
        {
            ordered = ordered is null
                ? order.Descending ? query.OrderByDescending(order.KeySelector) : query.OrderBy(order.KeySelector)
                : order.Descending ? ordered.ThenByDescending(order.KeySelector) : ordered.ThenBy(order.KeySelector);
        }

        query = ordered ?? query;
        if (specification.Skip is { } skip)
        {
            query = query.Skip(skip);
        }

        if (specification.Take is { } take)
        {
            query = query.Take(take);
        }

        return specification.AsNoTracking ? query.AsNoTracking() : query;
    }
}
