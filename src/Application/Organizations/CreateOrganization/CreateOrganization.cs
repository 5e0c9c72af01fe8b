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

public sealed class CreateOrganizationHandler(IRepository<Organization> organizations, TimeProvider clock)
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
        var key = ApiKeys.Generate();
        organization.IssueApiKey(key.Prefix, key.Hash, now);
        await organizations.AddAsync(organization, cancellationToken);
        return new CreatedOrganizationResponse(organization.Id, organization.Name, key.Key);
    }
}
