using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.CreateWebhook;

/// <summary>Adds an endpoint; the answer carries its signing secret, shown this once.</summary>
public sealed record CreateWebhookCommand(string? Url, IReadOnlyList<string>? Events, string? Description) : ICommand<Result<WebhookResponse>>;

public sealed class CreateWebhookValidator : AbstractValidator<CreateWebhookCommand>
{
    public CreateWebhookValidator()
    {
        RuleFor(x => x.Url).WebhookUrlShape();
        RuleFor(x => x.Events).NotNull().WithMessage("Give the event types, or [\"*\"] for all of them.");
        RuleFor(x => x.Events!).Must(e => WebhookEventTypes.Refusal(e) is null)
            .WithMessage(x => WebhookEventTypes.Refusal(x.Events!)!).When(x => x.Events is not null);
    }
}

public sealed class CreateWebhookHandler(
    IRepository<WebhookEndpoint> endpoints, ICurrentTenant tenant, ISecretProtector protector, IWebhookUrlPolicy urls, TimeProvider clock)
    : ICommandHandler<CreateWebhookCommand, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(CreateWebhookCommand command, CancellationToken cancellationToken)
    {
        var url = new Uri(command.Url!, UriKind.Absolute);
        if (await urls.RefusalAsync(url, cancellationToken) is { } refusal)
        {
            return Error.Validation("url", refusal);
        }

        var secret = WebhookSigning.NewSecret();
        var created = WebhookEndpoint.Create(tenant.OrganizationId, url, command.Events!, command.Description, protector.Protect(secret), clock.GetUtcNow());
        if (created.IsFailure)
        {
            return created.Error!;
        }

        await endpoints.AddAsync(created.Value, cancellationToken);
        return WebhookResponse.From(created.Value, secret);
    }
}
