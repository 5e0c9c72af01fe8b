using System.Collections.Concurrent;
using Modular.Application.Messaging.Ports;
using Modular.Domain.Channels;

namespace Modular.Application.Messaging.Delivery;

/// <summary>
/// At most as many messages per relay between "its SMTP transaction starts" and "its outcome is saved" as
/// the relay has connections. A slot is taken before the attempt and given back only once the outcome is
/// committed, so after a crash the messages whose fate is unknown (handed over, outcome not saved) are
/// never more than the relays' connections. Relays do not share slots: a slow relay holds only its own.
/// </summary>
public sealed class RelaySlots(DeliveryPolicy policy)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);

    /// <summary>Waits for a slot of the channel's relay; disposing the lease gives it back.</summary>
    public async Task<IDisposable> TakeAsync(Channel? channel)
    {
        var (key, size) = channel?.Smtp is { } smtp
            ? ($"{smtp.Host}:{smtp.Port}:{smtp.Security}:{smtp.Username}:{smtp.MaxConnections}", smtp.MaxConnections)
            : ("default", policy.DefaultRelayConnections);
        var slots = _slots.GetOrAdd(key, _ => new SemaphoreSlim(size, size));
        await slots.WaitAsync(CancellationToken.None);
        return new Lease(slots);
    }

    private sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
