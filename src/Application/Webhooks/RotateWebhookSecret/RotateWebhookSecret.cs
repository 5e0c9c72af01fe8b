using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.RotateWebhookSecret;

/// <summary>
/// Issues a new signing secret (shown once in the answer); the current one keeps signing alongside it
/// for 24 hours (two <c>v1,</c> signatures in <c>webhook-signature</c>).
/// </summary>
public sealed record RotateWebhookSecretCommand(long Id) : ICommand<Result<WebhookResponse>>;

public sealed class RotateWebhookSecretHandler(IRepository<WebhookEndpoint> endpoints, ISecretProtector protector, TimeProvider clock)
    : ICommandHandler<RotateWebhookSecretCommand, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(RotateWebhookSecretCommand command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FirstOrDefaultAsync(new ByIdSpec<WebhookEndpoint>(command.Id), cancellationToken);
        if (endpoint is null)
        {
            return Error.NotFound("webhook", command.Id);
        }

        var secret = WebhookSigning.NewSecret();
        endpoint.RotateSecret(protector.Protect(secret), clock.GetUtcNow());
        return WebhookResponse.From(endpoint, secret);
    }
}
