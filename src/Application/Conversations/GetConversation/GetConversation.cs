using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Messaging;
using Modular.Domain.Common;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.Conversations.GetConversation;

/// <summary>Show Conversation: the thread with its participants and its latest messages.</summary>
public sealed record GetConversationQuery(long Id) : IQuery<Result<ConversationResponse>>;

public sealed class LatestMessagesSpec : Specification<Message>
{
    public const int Count = 20;

    public LatestMessagesSpec(long conversationId) =>
        Query.Where(m => m.ConversationId == conversationId)
            .OrderByDescending(m => m.CreatedAt)
            .ThenByDescending(m => m.Id)
            .Take(Count)
            .AsNoTracking();
}

public sealed class GetConversationHandler(IRepository<Conversation> conversations, IRepository<Message> messages)
    : IQueryHandler<GetConversationQuery, Result<ConversationResponse>>
{
    public async ValueTask<Result<ConversationResponse>> Handle(GetConversationQuery query, CancellationToken cancellationToken)
    {
        var conversation = await conversations.FirstOrDefaultAsync(new ByIdSpec<Conversation>(query.Id), cancellationToken);
        if (conversation is null)
        {
            return Error.NotFound("conversation", query.Id);
        }

        var latest = await messages.ListAsync(new LatestMessagesSpec(conversation.Id), cancellationToken);
        return ConversationResponse.From(conversation, [.. latest.Select(MessageResponse.Of)]);
    }
}
