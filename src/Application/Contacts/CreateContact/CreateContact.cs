using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Contacts.CreateContact;

public sealed record CreateContactCommand(string? Email, string? Name, IReadOnlyList<ChannelRef>? OptInTo, bool? OptInToAllChannels)
    : ICommand<Result<ContactResponse>>;

public sealed class CreateContactValidator : AbstractValidator<CreateContactCommand>
{
    public CreateContactValidator()
    {
        RuleFor(x => x.Email).EmailAddress();
        RuleFor(x => x.Name).MaximumLength(Contact.NameMaxLength).SingleLine();
        RuleForEach(x => x.OptInTo).Must(c => c is not null && c.Id > 0).WithMessage("A channel id is required.");
    }
}

/// <summary>The contact with this address, compared case-insensitively.</summary>
public sealed class ContactByEmailSpec : Specification<Contact>
{
    public ContactByEmailSpec(string normalizedEmail) => Query.Where(c => c.NormalizedEmail == normalizedEmail);
}

public sealed class CreateContactHandler(IRepository<Contact> contacts, ConsentChannels consentChannels, ICurrentTenant tenant, TimeProvider clock)
    : ICommandHandler<CreateContactCommand, Result<ContactResponse>>
{
    public async ValueTask<Result<ContactResponse>> Handle(CreateContactCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Parse(command.Email, "email").Value;
        if (await contacts.AnyAsync(new ContactByEmailSpec(email.Normalized), cancellationToken))
        {
            return Error.Conflict("contact.email_taken", $"A contact with email {email} already exists.");
        }

        var optIns = await consentChannels.ResolveAsync(
            command.OptInTo?.Select(c => c.Id).ToList(), command.OptInToAllChannels == true, "opt_in_to", cancellationToken);
        if (optIns.IsFailure)
        {
            return optIns.Error!;
        }

        var now = clock.GetUtcNow();
        var created = Contact.Create(tenant.OrganizationId, email, command.Name, now);
        if (created.IsFailure)
        {
            return created.Error!;
        }

        foreach (var channelId in optIns.Value)
        {
            created.Value.OptIn(channelId, now);
        }

        await contacts.AddAsync(created.Value, cancellationToken);
        return ContactResponse.From(created.Value);
    }
}
