using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Channels;
using Modular.Domain.Common;
using Modular.Domain.Inboxes;

namespace Modular.Application.Inboxes.CreateInbox;

public sealed record CreateInboxCommand(string? Name, long? ChannelId) : ICommand<Result<InboxResponse>>;

public sealed class CreateInboxValidator : AbstractValidator<CreateInboxCommand>
{
    public CreateInboxValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(Inbox.NameMaxLength).SingleLine();
        RuleFor(x => x.ChannelId).NotNull().GreaterThan(0);
    }
}

public sealed class CreateInboxHandler(IRepository<Inbox> inboxes, IRepository<Channel> channels, ICurrentTenant tenant, TimeProvider clock)
    : ICommandHandler<CreateInboxCommand, Result<InboxResponse>>
{
    public async ValueTask<Result<InboxResponse>> Handle(CreateInboxCommand command, CancellationToken cancellationToken)
    {
        var channelId = command.ChannelId!.Value;
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(channelId), cancellationToken);
        if (channel is null)
        {
            return Error.Validation("channel_id", $"Channel {channelId} was not found.");
        }

        if (channel.IsArchived)
        {
            return Error.Validation("channel_id", $"Channel {channelId} is archived.");
        }

        var created = Inbox.Create(tenant.OrganizationId, command.Name!, channelId, clock.GetUtcNow());
        if (created.IsFailure)
        {
            return created.Error!;
        }

        await inboxes.AddAsync(created.Value, cancellationToken);
        return InboxResponse.From(created.Value);
    }
}
