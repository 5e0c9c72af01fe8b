using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Organizations.CreateOrganization;

/// <summary>Creates a tenant and issues its first API key (administrators only).</summary>
public sealed record CreateOrganizationCommand(string? Name) : ICommand<Result<CreatedOrganizationResponse>>;

/// <summary>The new organization with its API key, shown this once.</summary>
public sealed record CreatedOrganizationResponse(long Id, string Name, string ApiKey);

public sealed class CreateOrganizationValidator : AbstractValidator<CreateOrganizationCommand>
{
    public CreateOrganizationValidator() =>
        RuleFor(x => x.Name).NotEmpty().MaximumLength(Organization.NameMaxLength).SingleLine();
}

public sealed class CreateOrganizationHandler(IRepository<Organization> organizations, IRepository<ApiKey> apiKeys, TimeProvider clock)
    : ICommandHandler<CreateOrganizationCommand, Result<CreatedOrganizationResponse>>
{
    public async ValueTask<Result<CreatedOrganizationResponse>> Handle(CreateOrganizationCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var created = Organization.Create(command.Name!, now);
        if (created.IsFailure)
        {
            return created.Error!;
        }

        var organization = created.Value;
        await organizations.AddAsync(organization, cancellationToken);
        // The first key is a key record like any other: listed, revocable, replaceable by a second.
        var key = ApiKeys.Generate();
        await apiKeys.AddAsync(ApiKey.Issue(organization.Id, "first key", key.Prefix, key.Hash, expiresAt: null, now).Value, cancellationToken);
        return new CreatedOrganizationResponse(organization.Id, organization.Name, key.Key);
    }
}
