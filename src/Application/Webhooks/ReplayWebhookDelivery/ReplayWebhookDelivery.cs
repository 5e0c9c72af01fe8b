using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.ReplayWebhookDelivery;

/// <summary>Sends the event of one logged attempt to its endpoint again, with the same <c>webhook-id</c>.</summary>
public sealed record ReplayWebhookDeliveryCommand(long WebhookId, long AttemptId) : ICommand<Result<ReplayResponse>>;

/// <summary>The event queued again.</summary>
public sealed record ReplayResponse(string EventId, long WebhookId);

public sealed class ReplayWebhookDeliveryHandler(IRepository<WebhookEndpoint> endpoints, IWebhookDeliveryLog log, IWebhookDispatchTrigger trigger, TimeProvider clock)
    : ICommandHandler<ReplayWebhookDeliveryCommand, Result<ReplayResponse>>
{
    public async ValueTask<Result<ReplayResponse>> Handle(ReplayWebhookDeliveryCommand command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FirstOrDefaultAsync(new ByIdSpec<WebhookEndpoint>(command.WebhookId), cancellationToken);
        if (endpoint is null)
        {
            return Error.NotFound("webhook", command.WebhookId);
        }

        if (!endpoint.Enabled)
        {
            return Error.Conflict("webhook.disabled", $"Webhook {endpoint.Id} is disabled ({endpoint.DisabledReason}); enable it before replaying.");
        }

        if (await log.ReplayAsync(endpoint.Id, command.AttemptId, clock.GetUtcNow(), cancellationToken) is not { } eventId)
        {
            return Error.NotFound("delivery attempt", command.AttemptId);
        }

        trigger.Signal();
        return new ReplayResponse(eventId, endpoint.Id);
    }
}
