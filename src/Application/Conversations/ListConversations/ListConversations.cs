using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Conversations;

namespace Modular.Application.Conversations.ListConversations;

/// <summary>
/// Conversations filtered by status, channel, inbox and contact; most recently active first, or in the
/// <see cref="Order"/> given (<c>-last_message_at</c>, <c>last_message_at</c>, <c>-created_at</c>, <c>created_at</c>).
/// </summary>
public sealed record ListConversationsQuery(
    IReadOnlyList<string>? Status,
    long? ChannelId,
    long? InboxId,
    long? ContactId,
    int? Limit,
    int? Offset,
    string? Order = null) : IQuery<Result<ListResponse<ConversationResponse>>>
{
    public static readonly string[] Orders = ["-last_message_at", "last_message_at", "-created_at", "created_at"];
}

public sealed class ListConversationsValidator : AbstractValidator<ListConversationsQuery>
{
    public ListConversationsValidator()
    {
        this.Paging(x => x.Limit, x => x.Offset);
        RuleForEach(x => x.Status).OneOf(ConversationResponse.Statuses);
        RuleFor(x => x.Order).OneOf(ListConversationsQuery.Orders);
    }
}

public sealed class ConversationsPageSpec : Specification<Conversation>
{
    public ConversationsPageSpec(ListConversationsQuery filter, bool paged)
    {
        var statuses = filter.Status?.Select(ConversationResponse.Parse).OfType<ConversationStatus>().ToList();
        if (statuses is { Count: > 0 })
        {
            Query.Where(c => statuses.Contains(c.Status));
        }

        if (filter.ChannelId is { } channelId)
        {
            Query.Where(c => c.ChannelId == channelId);
        }

        if (filter.InboxId is { } inboxId)
        {
            Query.Where(c => c.InboxId == inboxId);
        }

        if (filter.ContactId is { } contactId)
        {
            Query.Where(c => c.ContactId == contactId);
        }

        _ = filter.Order?.ToLowerInvariant() switch
        {
            "last_message_at" => Query.OrderBy(c => c.LastMessageAt).ThenBy(c => c.Id),
            "-created_at" => Query.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
            "created_at" => Query.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
            _ => Query.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id),
        };
        Query.AsNoTracking();
        if (paged)
        {
            Query.Skip(filter.Offset ?? 0).Take(filter.Limit ?? Rules.DefaultLimit);
        }
    }
}

public sealed class ListConversationsHandler(IRepository<Conversation> conversations)
    : IQueryHandler<ListConversationsQuery, Result<ListResponse<ConversationResponse>>>
{
    public async ValueTask<Result<ListResponse<ConversationResponse>>> Handle(ListConversationsQuery query, CancellationToken cancellationToken)
    {
        var page = await conversations.ListAsync(new ConversationsPageSpec(query, paged: true), cancellationToken);
        var total = await conversations.CountAsync(new ConversationsPageSpec(query, paged: false), cancellationToken);
        return new ListResponse<ConversationResponse>(
            [.. page.Select(c => ConversationResponse.From(c))], total, query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
    }
}
