using Modular.Domain.Channels;

namespace Modular.Application.Channels;

/// <summary>A channel's DKIM key as clients see it: where to publish it and what to publish. The private key never leaves the service.</summary>
public sealed record DkimResponse(long ChannelId, string Domain, string Selector, string DnsName, string DnsValue, DateTimeOffset CreatedAt)
{
    public static DkimResponse From(Channel channel, DkimKey key) =>
        new(channel.Id, channel.Domain, key.Selector, key.DnsName(channel.Domain), key.DnsValue, key.CreatedAt);
}
