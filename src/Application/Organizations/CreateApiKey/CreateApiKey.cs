using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Organizations.CreateApiKey;

/// <summary>Issues another key of the organization; the key is in the answer, and nowhere else afterwards.</summary>
public sealed record CreateApiKeyCommand(string? Name, DateTimeOffset? ExpiresAt) : ICommand<Result<CreatedApiKeyResponse>>;

public sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKeyCommand>
{
    public CreateApiKeyValidator(TimeProvider clock)
    {
        RuleFor(x => x.Name).MaximumLength(ApiKey.NameMaxLength).SingleLine();
        RuleFor(x => x.ExpiresAt).Must(at => at is null || at > clock.GetUtcNow()).WithMessage("The expiry must be in the future.");
    }
}

public sealed class CreateApiKeyHandler(IRepository<ApiKey> keys, ICurrentTenant tenant, TimeProvider clock)
    : ICommandHandler<CreateApiKeyCommand, Result<CreatedApiKeyResponse>>
{
    public async ValueTask<Result<CreatedApiKeyResponse>> Handle(CreateApiKeyCommand command, CancellationToken cancellationToken)
    {
        var issued = ApiKeys.Generate();
        var created = ApiKey.Issue(tenant.OrganizationId, command.Name, issued.Prefix, issued.Hash, command.ExpiresAt, clock.GetUtcNow());
        if (created.IsFailure)
        {
            return created.Error!;
        }

        var key = created.Value;
        await keys.AddAsync(key, cancellationToken);
        return new CreatedApiKeyResponse(key.Id, key.Name, key.Prefix, key.CreatedAt, key.LastUsedAt, key.ExpiresAt, issued.Key);
    }
}
