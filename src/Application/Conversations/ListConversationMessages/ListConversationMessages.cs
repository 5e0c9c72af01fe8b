using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Application.Messaging;
using Modular.Domain.Common;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;

namespace Modular.Application.Conversations.ListConversationMessages;

/// <summary>A conversation's messages, oldest first.</summary>
public sealed record ListConversationMessagesQuery(long ConversationId, int? Limit, int? Offset)
    : IQuery<Result<ListResponse<MessageResponse>>>;

public sealed class ListConversationMessagesValidator : AbstractValidator<ListConversationMessagesQuery>
{
    public ListConversationMessagesValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class ConversationMessagesSpec : Specification<Message>
{
    public ConversationMessagesSpec(long conversationId, int? skip = null, int? take = null)
    {
        Query.Where(m => m.ConversationId == conversationId).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).AsNoTracking();
        if (skip is not null && take is not null)
        {
            Query.Skip(skip.Value).Take(take.Value);
        }
    }
}

public sealed class ListConversationMessagesHandler(IRepository<Conversation> conversations, IRepository<Message> messages)
    : IQueryHandler<ListConversationMessagesQuery, Result<ListResponse<MessageResponse>>>
{
    public async ValueTask<Result<ListResponse<MessageResponse>>> Handle(ListConversationMessagesQuery query, CancellationToken cancellationToken)
    {
        if (!await conversations.AnyAsync(new ByIdSpec<Conversation>(query.ConversationId), cancellationToken))
        {
            return Error.NotFound("conversation", query.ConversationId);
        }

        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await messages.ListAsync(new ConversationMessagesSpec(query.ConversationId, offset, limit), cancellationToken);
        var total = await messages.CountAsync(new ConversationMessagesSpec(query.ConversationId), cancellationToken);
        return new ListResponse<MessageResponse>([.. page.Select(MessageResponse.Of)], total, limit, offset);
    }
}
