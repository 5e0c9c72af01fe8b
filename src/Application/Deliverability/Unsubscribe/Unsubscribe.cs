using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Deliverability.Unsubscribe;

/// <summary>
/// The one-click unsubscribe link (<c>/u/{token}</c>, RFC 8058), with no API key: the token says which
/// organization, contact, channel and message. <see cref="Apply"/> true (a POST) opts the contact out at
/// once, harmlessly again on a repeat; false (a GET, which link scanners follow) only looks.
/// </summary>
public sealed record UnsubscribeCommand(string Token, bool Apply) : ICommand<Result<UnsubscribeResponse>>;

public sealed class UnsubscribeHandler(MailTokens tokens, ITenantScopes tenants) : ICommandHandler<UnsubscribeCommand, Result<UnsubscribeResponse>>
{
    public async ValueTask<Result<UnsubscribeResponse>> Handle(UnsubscribeCommand command, CancellationToken cancellationToken) =>
        tokens.ReadUnsubscribe(command.Token) is { } token
            ? await tenants.SendAsync(token.OrganizationId, new ApplyUnsubscribeCommand(token, ConsentSource.UnsubscribeLink, command.Apply), cancellationToken)
            : Unsubscriptions.NotFound;
}
