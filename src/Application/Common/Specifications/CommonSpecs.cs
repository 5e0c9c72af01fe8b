namespace Modular.Application.Common.Specifications;

// Specifications are Ardalis.Specification's (imported for the whole project in its .csproj):
// a spec's constructor describes the query with Query.Where(...).OrderBy(...).ThenBy(...);
// Infrastructure's EfSpecificationEvaluator runs it on EF Core, and spec.Evaluate(list) runs it in memory.

/// <summary>Fetches one aggregate by id.</summary>
public sealed class ByIdSpec<T> : Specification<T>
    where T : Domain.Common.Entity
{
    public ByIdSpec(long id) => Query.Where(e => e.Id == id);
}

/// <summary>Fetches the aggregates with any of these ids.</summary>
public sealed class ByIdsSpec<T> : Specification<T>
    where T : Domain.Common.Entity
{
    public ByIdsSpec(IReadOnlyCollection<long> ids) => Query.Where(e => ids.Contains(e.Id));
}

/// <summary>A page of aggregates in id (creation) order, read without tracking; no paging when skip/take are null.</summary>
public abstract class PageSpec<T> : Specification<T>
    where T : Domain.Common.Entity
{
    protected PageSpec(int? skip, int? take)
    {
        Query.OrderBy(e => e.Id).AsNoTracking();
        if (skip is not null && take is not null)
        {
            Query.Skip(skip.Value).Take(take.Value);
        }
    }
}
