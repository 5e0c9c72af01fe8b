using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Scheduling.CancelMessage;

/// <summary>Cancels a <c>scheduled</c> message (409 in any other status); its waiting job is removed.</summary>
public sealed record CancelMessageCommand(long Id) : ICommand<Result<MessageResponse>>;

public sealed class CancelMessageHandler(IRepository<Message> messages, TimeProvider clock)
    : ICommandHandler<CancelMessageCommand, Result<MessageResponse>>
{
    public async ValueTask<Result<MessageResponse>> Handle(CancelMessageCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.Id), cancellationToken);
        if (message is null)
        {
            return Error.NotFound("message", command.Id);
        }

        var canceled = message.Cancel(clock.GetUtcNow());
        return canceled.IsFailure ? canceled.Error! : MessageResponse.Of(message);
    }
}
