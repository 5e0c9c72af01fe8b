using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Organizations.ListApiKeys;

/// <summary>The organization's keys that are not revoked (expired ones too, with their <c>expires_at</c>), oldest first.</summary>
public sealed record ListApiKeysQuery(int? Limit, int? Offset) : IQuery<Result<ListResponse<ApiKeyResponse>>>;

public sealed class ListApiKeysValidator : AbstractValidator<ListApiKeysQuery>
{
    public ListApiKeysValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class UnrevokedApiKeysSpec : PageSpec<ApiKey>
{
    public UnrevokedApiKeysSpec(int? skip = null, int? take = null)
        : base(skip, take) => Query.Where(k => k.RevokedAt == null);
}

public sealed class ListApiKeysHandler(IRepository<ApiKey> keys) : IQueryHandler<ListApiKeysQuery, Result<ListResponse<ApiKeyResponse>>>
{
    public async ValueTask<Result<ListResponse<ApiKeyResponse>>> Handle(ListApiKeysQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await keys.ListAsync(new UnrevokedApiKeysSpec(offset, limit), cancellationToken);
        var total = await keys.CountAsync(new UnrevokedApiKeysSpec(), cancellationToken);
        return new ListResponse<ApiKeyResponse>([.. page.Select(ApiKeyResponse.From)], total, limit, offset);
    }
}
