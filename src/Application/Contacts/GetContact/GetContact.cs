using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Contacts.GetContact;

public sealed record GetContactQuery(long Id) : IQuery<Result<ContactResponse>>;

public sealed class GetContactHandler(IRepository<Contact> contacts) : IQueryHandler<GetContactQuery, Result<ContactResponse>>
{
    public async ValueTask<Result<ContactResponse>> Handle(GetContactQuery query, CancellationToken cancellationToken)
    {
        var contact = await contacts.FirstOrDefaultAsync(new ByIdSpec<Contact>(query.Id), cancellationToken);
        return contact is null || contact.IsErased ? Error.NotFound("contact", query.Id) : ContactResponse.From(contact);
    }
}
