using Modular.Domain.Common;

namespace Modular.Domain.Inboxes;

/// <summary>A team's shared inbox, backed by exactly one channel.</summary>
public sealed class Inbox : AggregateRoot, ITenantOwned
{
    public const int NameMaxLength = 200;

    private Inbox()
    {
        Name = string.Empty;
    }

    public long OrganizationId { get; private set; }

    public string Name { get; private set; }

    public long ChannelId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static Result<Inbox> Create(long organizationId, string name, long channelId, DateTimeOffset now)
    {
        if (channelId <= 0)
        {
            return Error.Validation("channel_id", "A channel id is required.");
        }

        var inbox = new Inbox { OrganizationId = organizationId, ChannelId = channelId, CreatedAt = now };
        var named = inbox.Rename(name);
        return named.IsFailure ? named.Error! : inbox;
    }

    /// <summary>Renames the inbox. Its channel stays: its conversations are on that channel.</summary>
    public Result Rename(string name)
    {
        if (HeaderText.HasLineBreak(name))
        {
            return Error.Validation("name", "A name cannot contain a line break.");
        }

        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length is 0 or > NameMaxLength)
        {
            return Error.Validation("name", $"A name of 1 to {NameMaxLength} characters is required.");
        }

        Name = trimmed;
        return Result.Success();
    }
}
