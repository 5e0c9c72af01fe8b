using Modular.Domain.Inboxes;

namespace Modular.Application.Inboxes;

public sealed record InboxResponse(long Id, string Name, long ChannelId, DateTimeOffset CreatedAt)
{
    public static InboxResponse From(Inbox inbox) => new(inbox.Id, inbox.Name, inbox.ChannelId, inbox.CreatedAt);
}
