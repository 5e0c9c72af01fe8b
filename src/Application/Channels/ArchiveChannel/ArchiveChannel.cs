using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.ArchiveChannel;

/// <summary>
/// Archives a channel (<c>DELETE /v1/channels/{id}</c>): new sends from it, or through an inbox on it,
/// are 422 naming it; its conversations and messages stay readable; messages it accepted before
/// (scheduled ones included) are delivered as accepted, and can still be canceled one by one.
/// Archiving an archived channel is 409.
/// </summary>
public sealed record ArchiveChannelCommand(long Id) : ICommand<Result<ChannelResponse>>;

public sealed class ArchiveChannelHandler(IRepository<Channel> channels, TimeProvider clock) : ICommandHandler<ArchiveChannelCommand, Result<ChannelResponse>>
{
    public async ValueTask<Result<ChannelResponse>> Handle(ArchiveChannelCommand command, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(command.Id), cancellationToken);
        if (channel is null)
        {
            return Error.NotFound("channel", command.Id);
        }

        var archived = channel.Archive(clock.GetUtcNow());
        return archived.IsFailure ? archived.Error! : ChannelResponse.From(channel);
    }
}
