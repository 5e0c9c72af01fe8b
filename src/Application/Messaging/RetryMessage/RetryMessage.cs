using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.RetryMessage;

/// <summary>An operator sends an <c>uncertain</c> or <c>failed</c> message again (409 otherwise).</summary>
public sealed record RetryMessageCommand(long Id) : ICommand<Result<MessageResponse>>;

public sealed class RetryMessageHandler(IRepository<Message> messages, TimeProvider clock)
    : ICommandHandler<RetryMessageCommand, Result<MessageResponse>>
{
    public async ValueTask<Result<MessageResponse>> Handle(RetryMessageCommand command, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(command.Id), cancellationToken);
        if (message is null)
        {
            return Error.NotFound("message", command.Id);
        }

        var retried = message.Retry(clock.GetUtcNow());
        return retried.IsFailure ? retried.Error! : MessageResponse.Of(message);
    }
}
