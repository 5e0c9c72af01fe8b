using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.GetDkimKey;

public sealed record GetDkimKeyQuery(long ChannelId) : IQuery<Result<DkimResponse>>;

public sealed class GetDkimKeyHandler(IRepository<Channel> channels) : IQueryHandler<GetDkimKeyQuery, Result<DkimResponse>>
{
    public async ValueTask<Result<DkimResponse>> Handle(GetDkimKeyQuery query, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(query.ChannelId), cancellationToken);
        if (channel is null)
        {
            return Error.NotFound("channel", query.ChannelId);
        }

        return channel.Dkim is { } key
            ? DkimResponse.From(channel, key)
            : new Error("dkim.not_found", $"Channel {channel.Id} has no DKIM key.", ErrorType.NotFound);
    }
}
