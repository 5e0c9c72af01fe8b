using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Common;
using Modular.Domain.Messaging;

namespace Modular.Application.Messaging.GetMessage;

public sealed record GetMessageQuery(long Id) : IQuery<Result<MessageResponse>>;

public sealed class GetMessageHandler(IRepository<Message> messages) : IQueryHandler<GetMessageQuery, Result<MessageResponse>>
{
    public async ValueTask<Result<MessageResponse>> Handle(GetMessageQuery query, CancellationToken cancellationToken)
    {
        var message = await messages.FirstOrDefaultAsync(new ByIdSpec<Message>(query.Id), cancellationToken);
        return message is null ? Error.NotFound("message", query.Id) : MessageResponse.Of(message);
    }
}
