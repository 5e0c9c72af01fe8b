using Mediator;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Common;

namespace Modular.Application.Webhooks.DeleteWebhook;

/// <summary>Deletes an endpoint with its pending deliveries and its delivery log.</summary>
public sealed record DeleteWebhookCommand(long Id) : ICommand<Result<bool>>;

public sealed class DeleteWebhookHandler(IWebhookDeliveryLog log) : ICommandHandler<DeleteWebhookCommand, Result<bool>>
{
    public async ValueTask<Result<bool>> Handle(DeleteWebhookCommand command, CancellationToken cancellationToken) =>
        await log.DeleteAsync(command.Id, cancellationToken) ? true : Error.NotFound("webhook", command.Id);
}
