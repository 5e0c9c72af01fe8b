using FluentValidation;
using Mediator;
using Modular.Application.Channels.Ports;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Security;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.CreateChannel;

public sealed record CreateChannelCommand(string? Name, string? Email, string? SenderName, SmtpInput? Smtp, ImapInput? Imap = null, string? ListUnsubscribe = null, bool? VerpReturnPath = null)
    : ICommand<Result<ChannelResponse>>;

public sealed class CreateChannelValidator : AbstractValidator<CreateChannelCommand>
{
    public CreateChannelValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(Channel.NameMaxLength).SingleLine();
        RuleFor(x => x.Email).EmailAddress();
        RuleFor(x => x.SenderName).MaximumLength(200).SingleLine();
        RuleFor(x => x.Smtp!).SetValidator(new SmtpInputValidator()).When(x => x.Smtp is not null);
        RuleFor(x => x.Imap!).SetValidator(new ImapInputValidator()).When(x => x.Imap is not null);
        RuleFor(x => x.ListUnsubscribe).OneOf(ChannelResponse.ListUnsubscribeValues);
    }
}

public sealed class CreateChannelHandler(IRepository<Channel> channels, ICurrentTenant tenant, ISecretProtector protector, IRelayHostPolicy relays, TimeProvider clock)
    : ICommandHandler<CreateChannelCommand, Result<ChannelResponse>>
{
    public async ValueTask<Result<ChannelResponse>> Handle(CreateChannelCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Parse(command.Email, "email").Value;
        if (await channels.AnyAsync(new ChannelByEmailSpec(email.Normalized), cancellationToken))
        {
            return Error.Conflict("channel.email_taken", $"A channel with address {email} already exists.");
        }

        SmtpSettings? smtp = null;
        if (command.Smtp is not null)
        {
            if (await SmtpSettingsFactory.RefuseRelayAsync(command.Smtp, relays, cancellationToken) is { } refused)
            {
                return refused;
            }

            var settings = SmtpSettingsFactory.Create(command.Smtp, null, protector);
            if (settings.IsFailure)
            {
                return settings.Error!;
            }

            smtp = settings.Value;
        }

        ImapSettings? imap = null;
        if (command.Imap is not null)
        {
            if (await ImapSettingsFactory.RefuseServerAsync(command.Imap, relays, cancellationToken) is { } refused)
            {
                return refused;
            }

            var settings = ImapSettingsFactory.Create(command.Imap, null, protector);
            if (settings.IsFailure)
            {
                return settings.Error!;
            }

            imap = settings.Value;
        }

        var created = Channel.Create(tenant.OrganizationId, command.Name!, email, command.SenderName, smtp, clock.GetUtcNow());
        if (created.IsFailure)
        {
            return created.Error!;
        }

        var now = clock.GetUtcNow();
        created.Value.UseMailbox(imap, now);
        if (command.ListUnsubscribe is not null)
        {
            created.Value.ChangeListUnsubscribe(ChannelResponse.ParseListUnsubscribe(command.ListUnsubscribe), now);
        }

        created.Value.UseVerpReturnPath(command.VerpReturnPath == true, now);
        await channels.AddAsync(created.Value, cancellationToken);
        return ChannelResponse.From(created.Value);
    }
}
