using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.GetWebhook;

public sealed record GetWebhookQuery(long Id) : IQuery<Result<WebhookResponse>>;

public sealed class GetWebhookHandler(IRepository<WebhookEndpoint> endpoints) : IQueryHandler<GetWebhookQuery, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(GetWebhookQuery query, CancellationToken cancellationToken) =>
        await endpoints.FirstOrDefaultAsync(new ByIdSpec<WebhookEndpoint>(query.Id), cancellationToken) is { } endpoint
            ? WebhookResponse.From(endpoint)
            : Error.NotFound("webhook", query.Id);
}
