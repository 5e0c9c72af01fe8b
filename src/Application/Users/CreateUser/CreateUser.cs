using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Users.CreateUser;

public sealed record CreateUserCommand(string? Name, string? Email) : ICommand<Result<UserResponse>>;

public sealed class CreateUserValidator : AbstractValidator<CreateUserCommand>
{
    public CreateUserValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(User.NameMaxLength).SingleLine();
        RuleFor(x => x.Email).EmailAddress();
    }
}

public sealed class CreateUserHandler(IRepository<User> users, ICurrentTenant tenant, TimeProvider clock)
    : ICommandHandler<CreateUserCommand, Result<UserResponse>>
{
    public async ValueTask<Result<UserResponse>> Handle(CreateUserCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Parse(command.Email, "email").Value;
        if (await users.AnyAsync(new UserByEmailSpec(email), cancellationToken))
        {
            return Error.Conflict("user.email_taken", $"A user with email {email} already exists.");
        }

        var created = User.Create(tenant.OrganizationId, command.Name!, email, clock.GetUtcNow());
        if (created.IsFailure)
        {
            return created.Error!;
        }

        await users.AddAsync(created.Value, cancellationToken);
        return UserResponse.From(created.Value);
    }
}
