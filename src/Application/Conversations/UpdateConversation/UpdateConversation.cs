using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Conversations;

namespace Modular.Application.Conversations.UpdateConversation;

public sealed record UpdateConversationCommand(long Id, string? Status) : ICommand<Result<ConversationResponse>>;

public sealed class UpdateConversationValidator : AbstractValidator<UpdateConversationCommand>
{
    public UpdateConversationValidator() => RuleFor(x => x.Status).NotEmpty().OneOf(ConversationResponse.Statuses);
}

public sealed class UpdateConversationHandler(IRepository<Conversation> conversations, TimeProvider clock)
    : ICommandHandler<UpdateConversationCommand, Result<ConversationResponse>>
{
    public async ValueTask<Result<ConversationResponse>> Handle(UpdateConversationCommand command, CancellationToken cancellationToken)
    {
        var conversation = await conversations.FirstOrDefaultAsync(new ByIdSpec<Conversation>(command.Id), cancellationToken);
        if (conversation is null)
        {
            return Error.NotFound("conversation", command.Id);
        }

        conversation.ChangeStatus(ConversationResponse.Parse(command.Status)!.Value, clock.GetUtcNow());
        return ConversationResponse.From(conversation);
    }
}
