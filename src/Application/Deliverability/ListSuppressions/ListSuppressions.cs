using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Deliverability;

namespace Modular.Application.Deliverability.ListSuppressions;

/// <summary>The organization's suppressed addresses, newest first, optionally one address or one reason.</summary>
public sealed record ListSuppressionsQuery(string? Email, string? Reason, int? Limit, int? Offset) : IQuery<Result<ListResponse<SuppressionResponse>>>;

public sealed class ListSuppressionsValidator : AbstractValidator<ListSuppressionsQuery>
{
    public ListSuppressionsValidator()
    {
        this.Paging(x => x.Limit, x => x.Offset);
        RuleFor(x => x.Email).MaximumLength(254).Must(e => e is null || !e.Any(char.IsControl))
            .WithMessage("Control characters are not allowed.");
        RuleFor(x => x.Reason).OneOf("hard_bounce", "soft_bounce", "complaint", "manual");
    }
}

public sealed class SuppressionsPageSpec : Specification<Suppression>
{
    public SuppressionsPageSpec(string? email, SuppressionReason? reason, int? skip = null, int? take = null)
    {
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = email.Trim().ToLowerInvariant();
            Query.Where(s => s.NormalizedEmail == normalized);
        }

        if (reason is { } wanted)
        {
            Query.Where(s => s.Reason == wanted);
        }

        Query.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).AsNoTracking();
        if (skip is not null)
        {
            Query.Skip(skip.Value);
        }

        if (take is not null)
        {
            Query.Take(take.Value);
        }
    }
}

public sealed class ListSuppressionsHandler(IRepository<Suppression> suppressions)
    : IQueryHandler<ListSuppressionsQuery, Result<ListResponse<SuppressionResponse>>>
{
    public async ValueTask<Result<ListResponse<SuppressionResponse>>> Handle(ListSuppressionsQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var reason = Suppression.Parse(query.Reason);
        var page = await suppressions.ListAsync(new SuppressionsPageSpec(query.Email, reason, offset, limit), cancellationToken);
        var total = await suppressions.CountAsync(new SuppressionsPageSpec(query.Email, reason), cancellationToken);
        return new ListResponse<SuppressionResponse>([.. page.Select(SuppressionResponse.From)], total, limit, offset);
    }
}
