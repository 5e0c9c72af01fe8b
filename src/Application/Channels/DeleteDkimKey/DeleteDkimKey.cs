using Mediator;
using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Channels.DeleteDkimKey;

/// <summary>Stops signing the channel's email and forgets its key.</summary>
public sealed record DeleteDkimKeyCommand(long ChannelId) : ICommand<Result>;

public sealed class DeleteDkimKeyHandler(IRepository<Channel> channels, TimeProvider clock) : ICommandHandler<DeleteDkimKeyCommand, Result>
{
    public async ValueTask<Result> Handle(DeleteDkimKeyCommand command, CancellationToken cancellationToken)
    {
        var channel = await channels.FirstOrDefaultAsync(new ByIdSpec<Channel>(command.ChannelId), cancellationToken);
        return channel is null ? Error.NotFound("channel", command.ChannelId) : channel.StopDkimSigning(clock.GetUtcNow());
    }
}
