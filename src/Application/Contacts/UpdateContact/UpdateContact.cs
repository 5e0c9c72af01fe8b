using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Contacts.UpdateContact;

/// <summary>
/// Changes a contact's name: a name sets it, an empty string removes it, no <c>name</c> leaves it. The
/// address is the contact's identity (consent, suppressions and threads hang on it) and is not changed here.
/// </summary>
public sealed record UpdateContactCommand(long Id, string? Name) : ICommand<Result<ContactResponse>>;

public sealed class UpdateContactValidator : AbstractValidator<UpdateContactCommand>
{
    public UpdateContactValidator() => RuleFor(x => x.Name).MaximumLength(Contact.NameMaxLength).SingleLine();
}

public sealed class UpdateContactHandler(IRepository<Contact> contacts) : ICommandHandler<UpdateContactCommand, Result<ContactResponse>>
{
    public async ValueTask<Result<ContactResponse>> Handle(UpdateContactCommand command, CancellationToken cancellationToken)
    {
        var contact = await contacts.FirstOrDefaultAsync(new ByIdSpec<Contact>(command.Id), cancellationToken);
        if (contact is null || contact.IsErased)
        {
            return Error.NotFound("contact", command.Id);
        }

        if (command.Name is not null && contact.Rename(command.Name) is { IsFailure: true } renamed)
        {
            return renamed.Error!;
        }

        return ContactResponse.From(contact);
    }
}
