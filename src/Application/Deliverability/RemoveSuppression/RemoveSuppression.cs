using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Deliverability;

namespace Modular.Application.Deliverability.RemoveSuppression;

/// <summary>Takes an address off the suppression list: it may be sent to again (consent still applies).</summary>
public sealed record RemoveSuppressionCommand(string? Email) : ICommand<Result>;

public sealed class RemoveSuppressionValidator : AbstractValidator<RemoveSuppressionCommand>
{
    public RemoveSuppressionValidator() => RuleFor(x => x.Email).EmailAddress();
}

public sealed class RemoveSuppressionHandler(IRepository<Suppression> suppressions, TimeProvider clock) : ICommandHandler<RemoveSuppressionCommand, Result>
{
    public async ValueTask<Result> Handle(RemoveSuppressionCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Parse(command.Email, "email").Value;
        var existing = await suppressions.FirstOrDefaultAsync(new SuppressionsByEmailsSpec([email.Normalized]), cancellationToken);
        if (existing is null)
        {
            return new Error("suppression.not_found", $"{email} is not suppressed.", ErrorType.NotFound);
        }

        existing.Remove(clock.GetUtcNow());
        suppressions.Remove(existing);
        return Result.Success();
    }
}
