using FluentValidation;
using Mediator;
using Modular.Application.Channels.Ports;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.UpdateChannel;

/// <summary>
/// Changes what is given and leaves the rest. <c>smtp</c> replaces the relay settings;
/// <c>use_default_relay: true</c> drops them so the default relay sends.
/// </summary>
public sealed record UpdateChannelCommand(long Id, string? Name, string? Email, string? SenderName, SmtpInput? Smtp, bool? UseDefaultRelay, ImapInput? Imap = null, bool? RemoveImap = null, string? ListUnsubscribe = null, bool? VerpReturnPath = null)
    : ICommand<Result<ChannelResponse>>;

public sealed class UpdateChannelValidator : AbstractValidator<UpdateChannelCommand>
{
    public UpdateChannelValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(Channel.NameMaxLength).SingleLine().When(x => x.Name is not null);
        RuleFor(x => x.Email).EmailAddress().When(x => x.Email is not null);
        RuleFor(x => x.SenderName).MaximumLength(200).SingleLine();
        RuleFor(x => x.Smtp!).SetValidator(new SmtpInputValidator()).When(x => x.Smtp is not null);
        RuleFor(x => x.UseDefaultRelay).Must(v => v != true).When(x => x.Smtp is not null)
            .WithMessage("Give either smtp or use_default_relay, not both.");
        RuleFor(x => x.Imap!).SetValidator(new ImapInputValidator()).When(x => x.Imap is not null);
        RuleFor(x => x.RemoveImap).Must(v => v != true).When(x => x.Imap is not null)
            .WithMessage("Give either imap or remove_imap, not both.");
        RuleFor(x => x.ListUnsubscribe).OneOf(ChannelResponse.ListUnsubscribeValues);
    }
}

public sealed class UpdateChannelHandler(IRepository<Channel> channels, ISecretProtector protector, IRelayHostPolicy relays, TimeProvider clock)
    : ICommandHandler<UpdateChannelCommand, Result<ChannelResponse>>
{
    public async ValueTask<Result<ChannelResponse>> Handle(UpdateChannelCommand command, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(command.Id), cancellationToken);
        if (channel is null)
        {
            return Error.NotFound("channel", command.Id);
        }

        var now = clock.GetUtcNow();
        if (command.Name is not null && channel.Rename(command.Name, now) is { IsFailure: true } renamed)
        {
            return renamed.Error!;
        }

        if (command.SenderName is not null && channel.ChangeSenderName(command.SenderName, now) is { IsFailure: true } named)
        {
            return named.Error!;
        }

        if (command.Email is not null)
        {
            var email = EmailAddress.Parse(command.Email, "email").Value;
            if (email.Normalized != channel.NormalizedEmail
                && await channels.AnyAsync(new ChannelByEmailSpec(email.Normalized), cancellationToken))
            {
                return Error.Conflict("channel.email_taken", $"A channel with address {email} already exists.");
            }

            channel.ChangeAddress(email, now);
        }

        if (command.Smtp is not null)
        {
            if (await SmtpSettingsFactory.RefuseRelayAsync(command.Smtp, relays, cancellationToken) is { } refused)
            {
                return refused;
            }

            var settings = SmtpSettingsFactory.Create(command.Smtp, channel.Smtp, protector);
            if (settings.IsFailure)
            {
                return settings.Error!;
            }

            channel.UseRelay(settings.Value, now);
        }
        else if (command.UseDefaultRelay == true)
        {
            channel.UseRelay(null, now);
        }

        if (command.Imap is not null)
        {
            if (await ImapSettingsFactory.RefuseServerAsync(command.Imap, relays, cancellationToken) is { } refused)
            {
                return refused;
            }

            var settings = ImapSettingsFactory.Create(command.Imap, channel.Imap, protector);
            if (settings.IsFailure)
            {
                return settings.Error!;
            }

            channel.UseMailbox(settings.Value, now);
        }
        else if (command.RemoveImap == true)
        {
            channel.UseMailbox(null, now);
        }

        if (command.ListUnsubscribe is not null)
        {
            channel.ChangeListUnsubscribe(ChannelResponse.ParseListUnsubscribe(command.ListUnsubscribe), now);
        }

        if (command.VerpReturnPath is { } verp)
        {
            channel.UseVerpReturnPath(verp, now);
        }

        return ChannelResponse.From(channel);
    }
}
