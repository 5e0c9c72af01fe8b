using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.GetChannel;

public sealed record GetChannelQuery(long Id) : IQuery<Result<ChannelResponse>>;

public sealed class GetChannelHandler(IRepository<Channel> channels) : IQueryHandler<GetChannelQuery, Result<ChannelResponse>>
{
    public async ValueTask<Result<ChannelResponse>> Handle(GetChannelQuery query, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(query.Id), cancellationToken);
        return channel is null ? Error.NotFound("channel", query.Id) : ChannelResponse.From(channel);
    }
}
