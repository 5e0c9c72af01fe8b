using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Inboxes;

namespace Modular.Application.Inboxes.GetInbox;

public sealed record GetInboxQuery(long Id) : IQuery<Result<InboxResponse>>;

public sealed class GetInboxHandler(IRepository<Inbox> inboxes) : IQueryHandler<GetInboxQuery, Result<InboxResponse>>
{
    public async ValueTask<Result<InboxResponse>> Handle(GetInboxQuery query, CancellationToken cancellationToken)
    {
        var inbox = await inboxes.FirstOrDefaultAsync(new ByIdSpec<Inbox>(query.Id), cancellationToken);
        return inbox is null ? Error.NotFound("inbox", query.Id) : InboxResponse.From(inbox);
    }
}
