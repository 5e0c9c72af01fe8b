using Modular.Application.Common.Persistence;
using Modular.Application.Common.Specifications;
using Modular.Domain.Channels;
using Modular.Domain.Common;

namespace Modular.Application.Contacts;

/// <summary>Resolves the channels a consent change names: some ids of the organization, or all its channels.</summary>
public sealed class ConsentChannels(IRepository<Channel> channels)
{
    public async Task<Result<IReadOnlyList<long>>> ResolveAsync(
        IReadOnlyList<long>? ids, bool all, string field, CancellationToken cancellationToken)
    {
        if (all)
        {
            var every = await channels.ListAsync(new AllChannelsSpec(), cancellationToken);
            return every.Select(c => c.Id).ToList();
        }

        if (ids is null || ids.Count == 0)
        {
            return Array.Empty<long>();
        }

        var distinct = ids.Distinct().ToList();
        var found = (await channels.ListAsync(new ChannelsByIdsSpec(distinct), cancellationToken)).Select(c => c.Id).ToHashSet();
        var missing = ids.Select((id, index) => (id, index)).Where(x => !found.Contains(x.id)).ToList();
        if (missing.Count > 0)
        {
            return Error.Validation(missing.ToDictionary(
                m => $"{field}[{m.index}]",
                m => new[] { $"Channel {m.id} was not found." }));
        }

        return distinct;
    }

    private sealed class AllChannelsSpec : Specification<Channel>
    {
        public AllChannelsSpec() => Query.AsNoTracking();
    }

    private sealed class ChannelsByIdsSpec : Specification<Channel>
    {
        public ChannelsByIdsSpec(List<long> ids) => Query.Where(c => ids.Contains(c.Id)).AsNoTracking();
    }
}
