using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;

namespace Modular.Application.Channels;

/// <summary>The channel with this address, compared case-insensitively.</summary>
public sealed class ChannelByEmailSpec : Specification<Channel>
{
    public ChannelByEmailSpec(string normalizedEmail) => Query.Where(c => c.NormalizedEmail == normalizedEmail);
}
