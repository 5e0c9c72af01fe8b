using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.ListWebhooks;

public sealed record ListWebhooksQuery(int? Limit, int? Offset) : IQuery<Result<ListResponse<WebhookResponse>>>;

public sealed class ListWebhooksValidator : AbstractValidator<ListWebhooksQuery>
{
    public ListWebhooksValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class ListWebhooksHandler(IRepository<WebhookEndpoint> endpoints)
    : IQueryHandler<ListWebhooksQuery, Result<ListResponse<WebhookResponse>>>
{
    public async ValueTask<Result<ListResponse<WebhookResponse>>> Handle(ListWebhooksQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await endpoints.ListAsync(new WebhooksPageSpec(offset, limit), cancellationToken);
        var total = await endpoints.CountAsync(new WebhooksPageSpec(), cancellationToken);
        return new ListResponse<WebhookResponse>([.. page.Select(e => WebhookResponse.From(e))], total, limit, offset);
    }
}
