using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Common;
using Modular.Domain.Webhooks;

namespace Modular.Application.Webhooks.UpdateWebhook;

/// <summary>Changes what is given: <c>url</c>, <c>events</c>, <c>description</c>, <c>enabled</c> (enabling starts the failure count again).</summary>
public sealed record UpdateWebhookCommand(long Id, string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled)
    : ICommand<Result<WebhookResponse>>;

public sealed class UpdateWebhookValidator : AbstractValidator<UpdateWebhookCommand>
{
    public UpdateWebhookValidator()
    {
        RuleFor(x => x.Url).WebhookUrlShape().When(x => x.Url is not null);
        RuleFor(x => x.Events!).Must(e => WebhookEventTypes.Refusal(e) is null)
            .WithMessage(x => WebhookEventTypes.Refusal(x.Events!)!).When(x => x.Events is not null);
    }
}

public sealed class UpdateWebhookHandler(IRepository<WebhookEndpoint> endpoints, IWebhookUrlPolicy urls, TimeProvider clock)
    : ICommandHandler<UpdateWebhookCommand, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(UpdateWebhookCommand command, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FirstOrDefaultAsync(new ByIdSpec<WebhookEndpoint>(command.Id), cancellationToken);
        if (endpoint is null)
        {
            return Error.NotFound("webhook", command.Id);
        }

        var now = clock.GetUtcNow();
        if (command.Url is not null)
        {
            var url = new Uri(command.Url, UriKind.Absolute);
            if (await urls.RefusalAsync(url, cancellationToken) is { } refusal)
            {
                return Error.Validation("url", refusal);
            }

            endpoint.ChangeUrl(url, now);
        }

        if (command.Events is not null && endpoint.ChangeEvents(command.Events, now) is { IsFailure: true } events)
        {
            return events.Error!;
        }

        if (command.Description is not null && endpoint.ChangeDescription(command.Description, now) is { IsFailure: true } described)
        {
            return described.Error!;
        }

        if (command.Enabled == true && !endpoint.Enabled)
        {
            endpoint.Enable(now);
        }
        else if (command.Enabled == false && endpoint.Enabled)
        {
            endpoint.Disable("Disabled by a client.", now);
        }

        return WebhookResponse.From(endpoint);
    }
}
