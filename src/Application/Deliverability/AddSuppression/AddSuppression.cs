using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Deliverability;

namespace Modular.Application.Deliverability.AddSuppression;

/// <summary>Suppresses an address by hand (<c>reason</c> is <c>manual</c>, the only one a client may give).</summary>
public sealed record AddSuppressionCommand(string? Email, string? Reason) : ICommand<Result<SuppressionResponse>>;

public sealed class AddSuppressionValidator : AbstractValidator<AddSuppressionCommand>
{
    public AddSuppressionValidator()
    {
        RuleFor(x => x.Email).EmailAddress();
        RuleFor(x => x.Reason).Must(r => r is null || r.Equals("manual", StringComparison.OrdinalIgnoreCase))
            .WithMessage("Only manual suppressions can be added; bounces and complaints add theirs.");
    }
}

public sealed class AddSuppressionHandler(IRepository<Suppression> suppressions, Suppressor suppressor, TimeProvider clock)
    : ICommandHandler<AddSuppressionCommand, Result<SuppressionResponse>>
{
    public async ValueTask<Result<SuppressionResponse>> Handle(AddSuppressionCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Parse(command.Email, "email").Value;
        if (await suppressions.FirstOrDefaultAsync(new SuppressionsByEmailsSpec([email.Normalized]), cancellationToken) is { } existing)
        {
            return Error.Conflict("suppression.exists", $"{existing.Email} is already suppressed ({Suppression.Format(existing.Reason)}).");
        }

        var created = await suppressor.SuppressAsync(email, SuppressionReason.Manual, null, null, clock.GetUtcNow(), cancellationToken);
        return SuppressionResponse.From(created);
    }
}
