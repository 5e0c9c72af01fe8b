using System.Linq.Expressions;

namespace Modular.Application.Common.Specifications;

/// <summary>
/// A named query over one aggregate: criteria, includes, ordering, paging and tracking. The vocabulary
/// follows Ardalis.Specification (<c>Query.Where(...).OrderBy(...)</c>) so a later swap is mechanical.
/// Infrastructure turns it into an EF Core query; <see cref="Evaluate"/> runs it over a list, for tests.
/// </summary>
public abstract class Specification<T>
    where T : class
{
    private readonly List<Expression<Func<T, bool>>> _criteria = [];
    private readonly List<Expression<Func<T, object?>>> _includes = [];
    private readonly List<OrderExpression<T>> _orderBy = [];

    protected Specification() => Query = new SpecificationBuilder<T>(this);

    protected ISpecificationBuilder<T> Query { get; }

    public IReadOnlyList<Expression<Func<T, bool>>> Criteria => _criteria;

    public IReadOnlyList<Expression<Func<T, object?>>> Includes => _includes;

    public IReadOnlyList<OrderExpression<T>> OrderBy => _orderBy;

    public int? Skip { get; private set; }

    public int? Take { get; private set; }

    public bool AsNoTracking { get; private set; }

    /// <summary>Applies criteria, ordering and paging to an in-memory sequence.</summary>
    public IEnumerable<T> Evaluate(IEnumerable<T> source)
    {
        var query = source;
        foreach (var criterion in _criteria)
        {
            query = query.Where(criterion.Compile());
        }

        IOrderedEnumerable<T>? ordered = null;
        foreach (var order in _orderBy)
        {
            var key = order.KeySelector.Compile();
            ordered = ordered is null
                ? order.Descending ? query.OrderByDescending(key) : query.OrderBy(key)
                : order.Descending ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
        }

        query = ordered ?? query;
        if (Skip is { } skip)
        {
            query = query.Skip(skip);
        }

        if (Take is { } take)
        {
            query = query.Take(take);
        }

        return query;
    }

    internal void AddCriterion(Expression<Func<T, bool>> criterion) => _criteria.Add(criterion);

    internal void AddInclude(Expression<Func<T, object?>> include) => _includes.Add(include);

    internal void AddOrder(Expression<Func<T, object?>> key, bool descending) => _orderBy.Add(new OrderExpression<T>(key, descending));

    internal void SetSkip(int skip) => Skip = skip;

    internal void SetTake(int take) => Take = take;

    internal void SetNoTracking() => AsNoTracking = true;
}

/// <summary>One ordering key of a specification.</summary>
public sealed record OrderExpression<T>(Expression<Func<T, object?>> KeySelector, bool Descending);

/// <summary>The fluent surface a specification's constructor uses.</summary>
public interface ISpecificationBuilder<T>
    where T : class
{
    ISpecificationBuilder<T> Where(Expression<Func<T, bool>> criterion);

    ISpecificationBuilder<T> Include(Expression<Func<T, object?>> include);

    ISpecificationBuilder<T> OrderBy(Expression<Func<T, object?>> key);

    ISpecificationBuilder<T> OrderByDescending(Expression<Func<T, object?>> key);

    ISpecificationBuilder<T> Skip(int skip);

    ISpecificationBuilder<T> Take(int take);

    ISpecificationBuilder<T> AsNoTracking();
}

internal sealed class SpecificationBuilder<T>(Specification<T> specification) : ISpecificationBuilder<T>
    where T : class
{
    public ISpecificationBuilder<T> Where(Expression<Func<T, bool>> criterion)
    {
        specification.AddCriterion(criterion);
        return this;
    }

    public ISpecificationBuilder<T> Include(Expression<Func<T, object?>> include)
    {
        specification.AddInclude(include);
        return this;
    }

    public ISpecificationBuilder<T> OrderBy(Expression<Func<T, object?>> key)
    {
        specification.AddOrder(key, descending: false);
        return this;
    }

    public ISpecificationBuilder<T> OrderByDescending(Expression<Func<T, object?>> key)
    {
        specification.AddOrder(key, descending: true);
        return this;
    }

    public ISpecificationBuilder<T> Skip(int skip)
    {
        specification.SetSkip(skip);
        return this;
    }

    public ISpecificationBuilder<T> Take(int take)
    {
        specification.SetTake(take);
        return this;
    }

    public ISpecificationBuilder<T> AsNoTracking()
    {
        specification.SetNoTracking();
        return this;
    }
}

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
