using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Deliverability;

/// <summary>Who an unsubscribe token unsubscribes, and whether they are out already.</summary>
public sealed record UnsubscribeResponse(string ChannelName, string Email, bool OptedOut);

/// <summary>
/// Runs in the scope of the organization a verified token names: opts its contact out of its channel
/// (with the source and the message), or with <see cref="Apply"/> false only finds them. A contact or a
/// channel that no longer exists is a not-found: nothing changes.
/// </summary>
/// <remarks>A request sent through <see cref="ITenantScopes"/>, so it saves its own change.</remarks>
public sealed record ApplyUnsubscribeCommand(UnsubscribeToken Token, ConsentSource Source, bool Apply) : IRequest<Result<UnsubscribeResponse>>;

public sealed class ApplyUnsubscribeHandler(IRepository<Contact> contacts, IRepository<Channel> channels, IUnitOfWork unitOfWork, TimeProvider clock)
    : IRequestHandler<ApplyUnsubscribeCommand, Result<UnsubscribeResponse>>
{
    public async ValueTask<Result<UnsubscribeResponse>> Handle(ApplyUnsubscribeCommand command, CancellationToken cancellationToken)
    {
        var contact = await contacts.FirstOrDefaultAsync(new ByIdSpec<Contact>(command.Token.ContactId), cancellationToken);
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(command.Token.ChannelId), cancellationToken);
        if (contact is null || channel is null)
        {
            return Unsubscriptions.NotFound;
        }

        if (command.Apply)
        {
            contact.OptOut(channel.Id, clock.GetUtcNow(), command.Source, command.Token.MessageId);
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }

        return new UnsubscribeResponse(channel.Name, contact.Email, contact.IsOptedOut(channel.Id));
    }
}

public static class Unsubscriptions
{
    /// <summary>The one answer to a token that is forged, altered, or names what is gone: nothing tells them apart.</summary>
    public static Error NotFound { get; } = new("unsubscribe.not_found", "This unsubscribe link is not valid.", ErrorType.NotFound);
}
