using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Modular.Application.Webhooks.Ports;
using Modular.Domain.Conversations;
using Modular.Domain.Messaging;
using Modular.Infrastructure.Persistence;

namespace Modular.Infrastructure.Webhooks;

/// <summary>
/// The contact a conversation was started with (it never changes): from the scope's context when the
/// conversation is new, else from the database (with those of the scope's other tracked messages in the
/// same read), remembered in <see cref="KnownContacts"/>.
/// </summary>
internal sealed class ConversationContacts(ModularDbContext db, KnownContacts known) : IConversationContacts
{
    public async Task<IReadOnlyDictionary<long, long?>> ContactsOfAsync(IReadOnlyCollection<long> conversationIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, long?>();
        var missing = new List<long>();
        Dictionary<long, long?>? tracked = null;
        foreach (var id in conversationIds)
        {
            if (known.TryGet(id, out var contactId))
            {
                found[id] = contactId;
                continue;
            }

            // The tracked conversations once (each look at them detects changes over the whole context).
            tracked ??= db.Set<Conversation>().Local.ToDictionary(c => c.Id, c => c.ContactId);
            if (tracked.TryGetValue(id, out var local))
            {
                found[id] = local;
            }
            else
            {
                missing.Add(id);
            }
        }

        if (missing.Count > 0)
        {
            // With them, those of every other message this scope tracks: a delivery batch saves its outcomes a
            // few at a time, and this way its first save reads the conversations of the whole batch.
            missing.AddRange(db.ChangeTracker.Entries<Message>()
                .Select(e => e.Entity.ConversationId)
                .Where(id => !found.ContainsKey(id) && !known.TryGet(id, out _))
                .Distinct());
            missing = [.. missing.Distinct()];
            var rows = await db.Set<Conversation>().AsNoTracking().Where(c => missing.Contains(c.Id))
                .Select(c => new { c.Id, c.ContactId }).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                found[row.Id] = row.ContactId;
                known.Add(row.Id, row.ContactId);
            }
        }

        return found;
    }
}

/// <summary>Conversations' contacts this process has read (capped; they never change).</summary>
internal sealed class KnownContacts
{
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<long, long?> _contacts = new();

    public bool TryGet(long conversationId, out long? contactId) => _contacts.TryGetValue(conversationId, out contactId);

    public void Add(long conversationId, long? contactId)
    {
        if (_contacts.Count >= Capacity)
        {
            _contacts.Clear();
        }

        _contacts[conversationId] = contactId;
    }
}
