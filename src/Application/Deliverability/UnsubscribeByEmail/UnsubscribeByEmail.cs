using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Deliverability.UnsubscribeByEmail;

/// <summary>
/// An email arrived at the <c>mailto:</c> of <c>List-Unsubscribe</c>
/// (<c>&lt;local&gt;+unsubscribe-{token}@&lt;domain&gt;</c>): opts the contact the token names out of its channel.
/// <paramref name="ChannelId"/>, when given, is the channel the email arrived on: a token of another
/// channel is refused. The inbound pipeline sends this for each recipient address of that form.
/// </summary>
public sealed record UnsubscribeByEmailCommand(string RecipientAddress, long? ChannelId = null) : ICommand<Result<UnsubscribeResponse>>;

public sealed class UnsubscribeByEmailHandler(MailTokens tokens, ITenantScopes tenants) : ICommandHandler<UnsubscribeByEmailCommand, Result<UnsubscribeResponse>>
{
    public async ValueTask<Result<UnsubscribeResponse>> Handle(UnsubscribeByEmailCommand command, CancellationToken cancellationToken)
    {
        if (tokens.ReadUnsubscribe(TokenAddresses.UnsubscribeTokenOf(command.RecipientAddress)) is not { } token
            || (command.ChannelId is { } channelId && channelId != token.ChannelId))
        {
            return Unsubscriptions.NotFound;
        }

        return await tenants.SendAsync(token.OrganizationId, new ApplyUnsubscribeCommand(token, ConsentSource.UnsubscribeEmail, Apply: true), cancellationToken);
    }
}
