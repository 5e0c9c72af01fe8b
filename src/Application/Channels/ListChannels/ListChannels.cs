using FluentValidation;
using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Application.Common.Validation;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.ListChannels;

public sealed record ListChannelsQuery(int? Limit, int? Offset) : IQuery<Result<ListResponse<ChannelResponse>>>;

public sealed class ListChannelsValidator : AbstractValidator<ListChannelsQuery>
{
    public ListChannelsValidator() => this.Paging(x => x.Limit, x => x.Offset);
}

public sealed class ChannelsPageSpec(int? skip = null, int? take = null) : PageSpec<Channel>(skip, take);

public sealed class ListChannelsHandler(IRepository<Channel> channels)
    : IQueryHandler<ListChannelsQuery, Result<ListResponse<ChannelResponse>>>
{
    public async ValueTask<Result<ListResponse<ChannelResponse>>> Handle(ListChannelsQuery query, CancellationToken cancellationToken)
    {
        var (limit, offset) = (query.Limit ?? Rules.DefaultLimit, query.Offset ?? 0);
        var page = await channels.ListAsync(new ChannelsPageSpec(offset, limit), cancellationToken);
        var total = await channels.CountAsync(new ChannelsPageSpec(), cancellationToken);
        return new ListResponse<ChannelResponse>([.. page.Select(ChannelResponse.From)], total, limit, offset);
    }
}
