using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Organizations;

namespace Modular.Application.Users.UpdateUser;

/// <summary>Changes what is given of a user's name and email; an email another user of the organization has is 409.</summary>
public sealed record UpdateUserCommand(long Id, string? Name, string? Email) : ICommand<Result<UserResponse>>;

public sealed class UpdateUserValidator : AbstractValidator<UpdateUserCommand>
{
    public UpdateUserValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(User.NameMaxLength).SingleLine().When(x => x.Name is not null);
        RuleFor(x => x.Email).EmailAddress().When(x => x.Email is not null);
    }
}

public sealed class UpdateUserHandler(IRepository<User> users) : ICommandHandler<UpdateUserCommand, Result<UserResponse>>
{
    public async ValueTask<Result<UserResponse>> Handle(UpdateUserCommand command, CancellationToken cancellationToken)
    {
        var user = await users.FirstOrDefaultAsync(new ByIdSpec<User>(command.Id), cancellationToken);
        if (user is null)
        {
            return Error.NotFound("user", command.Id);
        }

        if (command.Name is not null && user.Rename(command.Name) is { IsFailure: true } renamed)
        {
            return renamed.Error!;
        }

        if (command.Email is not null)
        {
            var email = EmailAddress.Parse(command.Email, "email").Value;
            if (email.Normalized != user.NormalizedEmail && await users.AnyAsync(new UserByEmailSpec(email), cancellationToken))
            {
                return Error.Conflict("user.email_taken", $"A user with email {email} already exists.");
            }

            user.ChangeEmail(email);
        }

        return UserResponse.From(user);
    }
}
