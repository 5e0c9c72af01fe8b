using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.ListMessages;

/// <summary>
/// Messages, optionally of one delivery status. Scheduled messages come soonest first (upcoming sends);
/// any other list, newest first.
/// </summary>
public sealed record ListMessagesQuery(string? Status, int? Limit, int? Offset) : IQuery<Result<ListResponse<MessageResponse>>>;

public sealed class ListMessagesValidator : AbstractValidator<ListMessagesQuery>
{
    public ListMessagesValidator()
    {
        this.Paging(x => x.Limit, x => x.Offset);
        RuleFor(x => x.Status).Must(s => s is null || MessagesPageSpec.ParseStatus(s) is not null)
            .WithMessage("Must be one of: " + string.Join(", ", Enum.GetValues<DeliveryStatus>().Select(Message.Format)) + ".");
    }
}

public sealed class MessagesPageSpec : Specification<Message>
{
    public MessagesPageSpec(string? status, int? skip = null, int? take = null)
    {
        if (ParseStatus(status) is { } filter)
        {
            Query.Where(m => m.Status == filter);
        }

        if (ParseStatus(status) == DeliveryStatus.Scheduled)
        {
            Query.OrderBy(m => m.DueAt).ThenBy(m => m.Id);
        }
        else
        {
            Query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id);
        }

        Query.AsNoTracking();
        if (skip is not null && take is not null)
        {
            Query.Skip(skip.Value).Take(take.Value);
        }
    }

    public static DeliveryStatus? ParseStatus(string? status) =>
        Enum.GetValues<DeliveryStatus>().Cast<DeliveryStatus?>().FirstOrDefault(s => Message.Format(s!.Value) == status?.ToLowerInvariant());
}

public sealed class ListMessagesHandler(IRepository<Message> messages) : IQueryHandler<ListMessagesQuery, Result<ListResponse<MessageResponse>>>
{
    public async ValueTask<Result<ListResponse<MessageResponse>>> Handle(ListMessagesQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await messages.ListAsync(new MessagesPageSpec(query.Status, offset, limit), cancellationToken);
        var total = await messages.CountAsync(new MessagesPageSpec(query.Status), cancellationToken);
        return new ListResponse<MessageResponse>([.. page.Select(MessageResponse.Of)], total, limit, offset);
    }
}
