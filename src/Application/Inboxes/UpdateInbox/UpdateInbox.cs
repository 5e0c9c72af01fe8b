using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Inboxes;

namespace Modular.Application.Inboxes.UpdateInbox;

/// <summary>
/// Renames an inbox. Its channel cannot change: its conversations are threads on that channel's
/// address, and an inbox-style reply goes out from the conversation's channel. A new inbox on the
/// other channel is the way to move.
/// </summary>
public sealed record UpdateInboxCommand(long Id, string? Name, long? ChannelId) : ICommand<Result<InboxResponse>>;

public sealed class UpdateInboxValidator : AbstractValidator<UpdateInboxCommand>
{
    public UpdateInboxValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(Inbox.NameMaxLength).SingleLine().When(x => x.Name is not null);
        RuleFor(x => x.ChannelId).Null()
            .WithMessage("An inbox keeps its channel (its conversations are on it); create an inbox on the other channel instead.");
    }
}

public sealed class UpdateInboxHandler(IRepository<Inbox> inboxes) : ICommandHandler<UpdateInboxCommand, Result<InboxResponse>>
{
    public async ValueTask<Result<InboxResponse>> Handle(UpdateInboxCommand command, CancellationToken cancellationToken)
    {
        var inbox = await inboxes.FirstOrDefaultAsync(new ByIdSpec<Inbox>(command.Id), cancellationToken);
        if (inbox is null)
        {
            return Error.NotFound("inbox", command.Id);
        }

        if (command.Name is not null && inbox.Rename(command.Name) is { IsFailure: true } renamed)
        {
            return renamed.Error!;
        }

        return InboxResponse.From(inbox);
    }
}
