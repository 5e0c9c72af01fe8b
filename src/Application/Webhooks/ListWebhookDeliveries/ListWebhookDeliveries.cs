using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.ListWebhookDeliveries;

/// <summary>An endpoint's delivery log, newest attempt first.</summary>
public sealed record ListWebhookDeliveriesQuery(long WebhookId, int? Limit, int? Offset) : IQuery<Result<ListResponse<WebhookAttemptResponse>>>;

public sealed class ListWebhookDeliveriesValidator : AbstractValidator<ListWebhookDeliveriesQuery>
{
    public ListWebhookDeliveriesValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class ListWebhookDeliveriesHandler(IRepository<WebhookEndpoint> endpoints, IWebhookDeliveryLog log)
    : IQueryHandler<ListWebhookDeliveriesQuery, Result<ListResponse<WebhookAttemptResponse>>>
{
    public async ValueTask<Result<ListResponse<WebhookAttemptResponse>>> Handle(ListWebhookDeliveriesQuery query, CancellationToken cancellationToken)
    {
        if (!await endpoints.AnyAsync(new ByIdSpec<WebhookEndpoint>(query.WebhookId), cancellationToken))
        {
            return Error.NotFound("webhook", query.WebhookId);
        }

        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var (page, total) = await log.ListAsync(query.WebhookId, limit, offset, cancellationToken);
        return new ListResponse<WebhookAttemptResponse>(page, total, limit, offset);
    }
}
