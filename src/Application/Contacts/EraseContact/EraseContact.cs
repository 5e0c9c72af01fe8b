using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Common;
using Modular.Domain.Contacts;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.Contacts.EraseContact;

/// <summary>
/// Erases a contact (GDPR, <c>DELETE /v1/contacts/{id}</c>), in one transaction: the contact keeps only
/// its id and a placeholder address; in its conversations the participants' address, the titles, and
/// every message's bodies, subject, attachments (links, contents, raw source) and its address are
/// erased; its scheduled messages are canceled (<c>contact_erased</c>). Conversations and messages stay,
/// with their ids, statuses and times, so they are still counted. Afterwards the contact is 404.
/// </summary>
public sealed record EraseContactCommand(long Id) : ICommand<Result>;

public sealed class ConversationsOfContactSpec : Specification<Conversation>
{
    public ConversationsOfContactSpec(long contactId) => Query.Where(c => c.ContactId == contactId);
}

public sealed class MessagesOfConversationsSpec : Specification<Message>
{
    public MessagesOfConversationsSpec(IReadOnlyCollection<long> conversationIds) =>
        Query.Where(m => conversationIds.Contains(m.ConversationId));
}

public sealed class EraseContactHandler(
    IRepository<Contact> contacts,
    IRepository<Conversation> conversations,
    IRepository<Message> messages,
    IMessageContentStore contents,
    TimeProvider clock) : ICommandHandler<EraseContactCommand, Result>
{
    public async ValueTask<Result> Handle(EraseContactCommand command, CancellationToken cancellationToken)
    {
        var contact = await contacts.FirstOrDefaultAsync(new ByIdSpec<Contact>(command.Id), cancellationToken);
        if (contact is null || contact.IsErased)
        {
            return Error.NotFound("contact", command.Id);
        }

        var now = clock.GetUtcNow();
        var address = contact.NormalizedEmail;
        var placeholder = Contact.ErasedAddress(contact.Id);
        var threads = await conversations.ListAsync(new ConversationsOfContactSpec(contact.Id), cancellationToken);
        var threadMessages = threads.Count == 0
            ? []
            : await messages.ListAsync(new MessagesOfConversationsSpec([.. threads.Select(c => c.Id)]), cancellationToken);
        foreach (var conversation in threads)
        {
            conversation.ErasePersonalData(address, placeholder, now);
        }

        foreach (var message in threadMessages)
        {
            message.ErasePersonalData(address, placeholder, now);
        }

        await contents.RemoveAllOfAsync([.. threadMessages.Select(m => m.Id)], cancellationToken);
        return contact.Erase(now);
    }
}
