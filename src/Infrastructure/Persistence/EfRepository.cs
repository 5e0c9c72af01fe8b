using Microsoft.EntityFrameworkCore;
using Modular.Application.Common.Persistence;
using System.Linq.Expressions;
using Ardalis.Specification;
using Modular.Domain.Common;

namespace Modular.Infrastructure.Persistence;

internal sealed class EfRepository<T>(ModularDbContext db) : IRepository<T>
    where T : AggregateRoot
{
    public Task<T?> FirstOrDefaultAsync(ISpecification<T> specification, CancellationToken cancellationToken) =>
        EfSpecificationEvaluator.Apply(db.Set<T>(), specification).FirstOrDefaultAsync(cancellationToken);

    public Task<List<T>> ListAsync(ISpecification<T> specification, CancellationToken cancellationToken) =>
        EfSpecificationEvaluator.Apply(db.Set<T>(), specification).ToListAsync(cancellationToken);

    public Task<int> CountAsync(ISpecification<T> specification, CancellationToken cancellationToken) =>
        EfSpecificationEvaluator.Apply(db.Set<T>(), specification, forCount: true).CountAsync(cancellationToken);

    public Task<bool> AnyAsync(ISpecification<T> specification, CancellationToken cancellationToken) =>
        EfSpecificationEvaluator.Apply(db.Set<T>(), specification, forCount: true).AnyAsync(cancellationToken);

    // Async on purpose: taking the next block of ids may query the sequence, and a synchronous
    // query here would block a thread-pool thread while it waits for a pooled connection.
    public async ValueTask AddAsync(T aggregate, CancellationToken cancellationToken) =>
        await db.Set<T>().AddAsync(aggregate, cancellationToken);

    public void Remove(T aggregate) => db.Set<T>().Remove(aggregate);
}

/// <summary>
/// Turns an Ardalis <see cref="ISpecification{T}"/> into an EF Core query. The package's own
/// evaluators apply criteria, ordering (OrderBy, then ThenBy) and paging; tracking, split queries,
/// query filters, tags and includes are EF Core's methods. (The package that does this for EF Core,
/// Ardalis.Specification.EntityFrameworkCore, is not served by the registry here.)
/// </summary>
public static class EfSpecificationEvaluator
{
    /// <summary>
    /// Applies the specification to <paramref name="source"/>; with <paramref name="forCount"/> only what
    /// decides which rows match (criteria and query filters), for counts and existence checks.
    /// </summary>
    public static IQueryable<T> Apply<T>(IQueryable<T> source, ISpecification<T> specification, bool forCount = false)
        where T : class
    {
        if (specification.SearchCriterias.Any())
        {
            throw new NotSupportedException("Search criteria (LIKE) are not supported: use Query.Where with an explicit condition.");
        }

        var query = specification.IgnoreQueryFilters ? source.IgnoreQueryFilters() : source;
        query = WhereEvaluator.Instance.GetQuery(query, specification);
        if (forCount)
        {
            return query;
        }

        foreach (var path in specification.IncludeStrings.Concat(IncludePaths(specification.IncludeExpressions)))
        {
            query = query.Include(path);
        }

        query = OrderEvaluator.Instance.GetQuery(query, specification);
        query = PaginationEvaluator.Instance.GetQuery(query, specification);
        query = specification.AsSplitQuery ? query.AsSplitQuery() : query;
        query = specification.AsNoTracking ? query.AsNoTracking()
            : specification.AsNoTrackingWithIdentityResolution ? query.AsNoTrackingWithIdentityResolution()
            : specification.AsTracking ? query.AsTracking()
            : query;
        foreach (var tag in specification.QueryTags)
        {
            query = query.TagWith(tag);
        }

        return query;
    }

    /// <summary>
    /// The navigation paths of Include/ThenInclude chains ("Messages", "Messages.Attachments"), for EF
    /// Core's string Include: each lambda must be a plain chain of member accesses (no filtered includes).
    /// </summary>
    internal static IEnumerable<string> IncludePaths(IEnumerable<IncludeExpressionInfo> includes)
    {
        string? current = null;
        foreach (var include in includes)
        {
            var member = MemberPath(include.LambdaExpression);
            if (include.Type == IncludeTypeEnum.Include)
            {
                if (current is not null)
                {
                    yield return current;
                }

                current = member;
            }
            else
            {
                current = current is null
                    ? throw new InvalidOperationException("ThenInclude must follow an Include.")
                    : $"{current}.{member}";
            }
        }

        if (current is not null)
        {
            yield return current;
        }
    }

    private static string MemberPath(LambdaExpression lambda)
    {
        var names = new Stack<string>();
        var expression = lambda.Body;
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert)
        {
            expression = convert.Operand;
        }

        while (expression is MemberExpression member)
        {
            names.Push(member.Member.Name);
            expression = member.Expression;
        }

        return expression == lambda.Parameters[0] && names.Count > 0
            ? string.Join('.', names)
            : throw new NotSupportedException($"Include({lambda}) is not a chain of navigation properties; filtered includes are not supported.");
    }
}
