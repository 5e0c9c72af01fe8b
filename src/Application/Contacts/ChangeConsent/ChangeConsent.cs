using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Contacts;

namespace Modular.Application.Contacts.ChangeConsent;

/// <summary>Opts a contact in to, or out of, some channels or all of them.</summary>
public sealed record ChangeConsentCommand(long ContactId, ConsentState State, IReadOnlyList<long>? ChannelIds, bool? AllChannels)
    : ICommand<Result<ContactResponse>>;

public sealed class ChangeConsentValidator : AbstractValidator<ChangeConsentCommand>
{
    public ChangeConsentValidator()
    {
        RuleFor(x => x.ChannelIds).NotEmpty().When(x => x.AllChannels != true)
            .WithMessage("Give channel_ids or all_channels: true.");
        RuleForEach(x => x.ChannelIds).GreaterThan(0);
    }
}

public sealed class ChangeConsentHandler(IRepository<Contact> contacts, ConsentChannels consentChannels, TimeProvider clock)
    : ICommandHandler<ChangeConsentCommand, Result<ContactResponse>>
{
    public async ValueTask<Result<ContactResponse>> Handle(ChangeConsentCommand command, CancellationToken cancellationToken)
    {
        var contact = await contacts.FirstOrDefaultAsync(new ByIdSpec<Contact>(command.ContactId), cancellationToken);
        if (contact is null || contact.IsErased)
        {
            return Error.NotFound("contact", command.ContactId);
        }

        var channels = await consentChannels.ResolveAsync(command.ChannelIds, command.AllChannels == true, "channel_ids", cancellationToken);
        if (channels.IsFailure)
        {
            return channels.Error!;
        }

        var now = clock.GetUtcNow();
        foreach (var channelId in channels.Value)
        {
            if (command.State == ConsentState.OptedIn)
            {
                contact.OptIn(channelId, now);
            }
            else
            {
                contact.OptOut(channelId, now);
            }
        }

        return ContactResponse.From(contact);
    }
}
