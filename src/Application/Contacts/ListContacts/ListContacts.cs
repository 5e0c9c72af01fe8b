using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Contacts.ListContacts;

/// <summary>Contacts, optionally only the one with <paramref name="Email"/> (any case).</summary>
public sealed record ListContactsQuery(string? Email, int? Limit, int? Offset) : IQuery<Result<ListResponse<ContactResponse>>>;

public sealed class ListContactsValidator : AbstractValidator<ListContactsQuery>
{
    public ListContactsValidator()
    {
        this.Paging(x => x.Limit, x => x.Offset);
        RuleFor(x => x.Email).MaximumLength(254).Must(e => e is null || !e.Any(char.IsControl))
            .WithMessage("Control characters are not allowed.");
    }
}

public sealed class ContactsPageSpec : PageSpec<Contact>
{
    public ContactsPageSpec(string? email, int? skip = null, int? take = null)
        : base(skip, take)
    {
        // Erased contacts are kept (their conversations still count them) but are nobody to list.
        Query.Where(c => c.ErasedAt == null);
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = email.Trim().ToLowerInvariant();
            Query.Where(c => c.NormalizedEmail == normalized);
        }
    }
}

public sealed class ListContactsHandler(IRepository<Contact> contacts) : IQueryHandler<ListContactsQuery, Result<ListResponse<ContactResponse>>>
{
    public async ValueTask<Result<ListResponse<ContactResponse>>> Handle(ListContactsQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await contacts.ListAsync(new ContactsPageSpec(query.Email, offset, limit), cancellationToken);
        var total = await contacts.CountAsync(new ContactsPageSpec(query.Email), cancellationToken);
        return new ListResponse<ContactResponse>([.. page.Select(ContactResponse.From)], total, limit, offset);
    }
}
