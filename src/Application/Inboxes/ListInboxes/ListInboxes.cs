using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Inboxes;

namespace Modular.Application.Inboxes.ListInboxes;

public sealed record ListInboxesQuery(int? Limit, int? Offset) : IQuery<Result<ListResponse<InboxResponse>>>;

public sealed class ListInboxesValidator : AbstractValidator<ListInboxesQuery>
{
    public ListInboxesValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class InboxesPageSpec(int? skip = null, int? take = null) : PageSpec<Inbox>(skip, take);

public sealed class ListInboxesHandler(IRepository<Inbox> inboxes) : IQueryHandler<ListInboxesQuery, Result<ListResponse<InboxResponse>>>
{
    public async ValueTask<Result<ListResponse<InboxResponse>>> Handle(ListInboxesQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await inboxes.ListAsync(new InboxesPageSpec(offset, limit), cancellationToken);
        var total = await inboxes.CountAsync(new InboxesPageSpec(), cancellationToken);
        return new ListResponse<InboxResponse>([.. page.Select(InboxResponse.From)], total, limit, offset);
    }
}
